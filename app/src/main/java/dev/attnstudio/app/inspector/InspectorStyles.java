package dev.attnstudio.app.inspector;

import java.net.URL;
import java.util.Objects;

/**
 * The stylesheet of the pipeline view and the tensor inspector. It only refers to the
 * semantic colour tokens ({@code -as-surface}, {@code -as-accent}, ...) that the theme stylesheet declares on
 * {@code .root}, so the views follow the light and the dark theme.
 */
public final class InspectorStyles {

    private InspectorStyles() {
    }

    public static String stylesheet() {
        URL url = Objects.requireNonNull(InspectorStyles.class.getResource("/dev/attnstudio/app/inspector.css"),
                "inspector.css is missing");
        return url.toExternalForm();
    }
}
