package dev.attnstudio.app.attention;

import java.net.URL;
import java.util.Objects;

/** The attention views' stylesheet, {@code attention.css}: rules over the theme's semantic tokens only. */
final class AttentionStyles {

    private AttentionStyles() {
    }

    /** The stylesheet every attention view adds to itself. */
    static String stylesheet() {
        URL url = Objects.requireNonNull(AttentionStyles.class.getResource("/dev/attnstudio/app/attention/attention.css"),
                "attention.css is missing");
        return url.toExternalForm();
    }
}
