package dev.attnstudio.app.panels;

import java.net.URL;
import java.util.Objects;

/** Style-class names the panels set and {@code panels.css} styles. */
public final class PanelStyles {

    public static final String PANEL = "panel";
    public static final String PANEL_TITLE = "panel-title";
    public static final String MUTED = "muted";
    public static final String READOUT = "panel-readout";
    public static final String LEGEND = "panel-legend";
    public static final String LEGEND_SWATCH = "legend-swatch";
    public static final String PLACEHOLDER = "panel-placeholder";
    public static final String MASK_PANEL = "mask-panel";
    public static final String KV_CACHE_PANEL = "kv-cache-panel";
    public static final String ENTROPY_PANEL = "entropy-panel";
    public static final String GENERATION_PANEL = "generation-panel";
    /** The box holding the prompt and the generated continuation as text. */
    public static final String GENERATED_TEXT_BOX = "generated-text-box";
    /** A next-token bar the sampler may not pick under the current top-k / top-p. */
    public static final String CUT_BAR = "cut-bar";

    private PanelStyles() {
    }

    /** The panels' stylesheet: rules over the theme's semantic colour tokens ({@code -as-*}) only. */
    public static String stylesheet() {
        URL url = Objects.requireNonNull(PanelStyles.class.getResource("/dev/attnstudio/app/panels/panels.css"),
                "panels.css is missing");
        return url.toExternalForm();
    }
}
