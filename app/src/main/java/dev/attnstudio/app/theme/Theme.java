package dev.attnstudio.app.theme;

import java.util.List;
import java.util.Locale;

/**
 * The app's colour themes. Both use {@code app.css}; the dark one adds {@code dark.css}, which redefines the
 * semantic colour tokens ({@code -as-*}) and JavaFX's own base colours and nothing else, so every rule written
 * against the tokens (in app.css or in a view's own stylesheet) works in both.
 */
public enum Theme {
    LIGHT("Light"),
    DARK("Dark");

    public final String title;

    Theme(String title) {
        this.title = title;
    }

    /** The stylesheets a scene needs for this theme, in order. */
    public List<String> stylesheets() {
        return this == LIGHT ? List.of(Styles.stylesheet()) : List.of(Styles.stylesheet(), Styles.resource("dark.css"));
    }

    /** The theme saved under {@code name} ({@link #name()}, any case), or LIGHT for anything else. */
    public static Theme parse(String name) {
        try {
            return name == null ? LIGHT : valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return LIGHT;
        }
    }
}
