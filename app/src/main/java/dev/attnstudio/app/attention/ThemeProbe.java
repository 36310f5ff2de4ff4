package dev.attnstudio.app.attention;

import javafx.scene.Node;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import javafx.scene.text.Text;

import java.net.URL;
import java.util.List;
import java.util.Objects;

/**
 * The theme colours a canvas needs, read from invisible texts styled with the app's {@code -as-*} tokens
 * (attention.css), so canvas drawing follows the light or dark theme like every styled control. The owner
 * redraws when a colour changes (a theme switch).
 */
final class ThemeProbe {

    private final Text text = probe("attention-probe-text");
    private final Text muted = probe("attention-probe-muted");
    private final Text accent = probe("attention-probe-accent");
    private final Text pending = probe("attention-probe-pending");
    private final Text border = probe("attention-probe-border");

    /** Adds the probes to {@code children} and calls {@code onChange} when the theme changes a colour. */
    ThemeProbe(List<Node> children, Runnable onChange) {
        for (Text t : List.of(text, muted, accent, pending, border)) {
            children.add(t);
            t.fillProperty().addListener((obs, old, now) -> onChange.run());
        }
    }

    /** The stylesheet every attention view adds to itself. */
    static String stylesheet() {
        URL url = Objects.requireNonNull(ThemeProbe.class.getResource("/dev/attnstudio/app/attention/attention.css"),
                "attention.css is missing");
        return url.toExternalForm();
    }

    private static Text probe(String styleClass) {
        Text t = new Text();
        t.getStyleClass().add(styleClass);
        t.setManaged(false);
        t.setVisible(false);
        return t;
    }

    Color text() {
        return colour(text, Color.web("#1f2328"));
    }

    Color muted() {
        return colour(muted, Color.web("#5f6872"));
    }

    Color accent() {
        return colour(accent, Color.web("#2f66d0"));
    }

    Color pending() {
        return colour(pending, Color.web("#a3aab3"));
    }

    Color border() {
        return colour(border, Color.web("#d5dae1"));
    }

    /** A text's fill as CSS set it (the light theme's value if something other than a colour is there). */
    private static Color colour(Text probe, Color fallback) {
        Paint p = probe.getFill();
        return p instanceof Color c ? c : fallback;
    }
}
