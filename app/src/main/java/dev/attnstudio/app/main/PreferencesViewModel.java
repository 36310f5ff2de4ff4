package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Theme;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;

import java.util.Locale;

/**
 * The window's look and habits, remembered across runs in a {@link SettingsStore}: colour theme, zoom, the folder the
 * file dialogs open in.
 */
public final class PreferencesViewModel {

    public static final double MIN_ZOOM = 0.7;
    public static final double MAX_ZOOM = 2.0;
    private static final double ZOOM_STEP = 0.1;

    static final String THEME_KEY = "theme";
    static final String ZOOM_KEY = "zoom";

    private final ObjectProperty<Theme> theme = new SimpleObjectProperty<>(this, "theme", Theme.LIGHT);
    private final DoubleProperty zoom = new SimpleDoubleProperty(this, "zoom", 1.0);
    private final DialogFolders folders;

    /** Reads the store now (anything unreadable falls back to the default) and writes it on every change. */
    PreferencesViewModel(SettingsStore settings) {
        folders = new DialogFolders(settings);
        theme.set(Theme.parse(settings.get(THEME_KEY, Theme.LIGHT.name())));
        try {
            zoom.set(clampZoom(Double.parseDouble(settings.get(ZOOM_KEY, "1.0"))));
        } catch (NumberFormatException e) {
            zoom.set(1.0);
        }
        theme.addListener((obs, old, now) -> settings.put(THEME_KEY, now.name()));
        zoom.addListener((obs, old, now) -> settings.put(ZOOM_KEY, String.format(Locale.ROOT, "%.2f", now.doubleValue())));
    }

    /** Where the file dialogs open: the folder last chosen, else the home; remembered across runs. */
    public DialogFolders folders() {
        return folders;
    }

    /** The colour theme; remembered across runs. */
    public ObjectProperty<Theme> themeProperty() {
        return theme;
    }

    /** Font scale of the whole window, 1 = normal, kept within [{@link #MIN_ZOOM}, {@link #MAX_ZOOM}]; remembered. */
    public DoubleProperty zoomProperty() {
        return zoom;
    }

    public void zoomIn() {
        zoom.set(clampZoom(zoom.get() + ZOOM_STEP));
    }

    public void zoomOut() {
        zoom.set(clampZoom(zoom.get() - ZOOM_STEP));
    }

    public void resetZoom() {
        zoom.set(1.0);
    }

    private static double clampZoom(double z) {
        double rounded = Math.round(z * 10) / 10.0; // whole steps, so zooming in and out returns exactly
        return Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, rounded));
    }
}
