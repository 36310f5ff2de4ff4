package dev.attnstudio.app.theme;

import javafx.css.PseudoClass;

import java.net.URL;
import java.util.Objects;

/**
 * Style-class and pseudo-class names the views set and {@code app.css} styles, named once here so code and
 * stylesheet cannot drift apart silently.
 */
public final class Styles {

    public static final String MAIN_VIEW = "main-view";
    public static final String STEPS_PANEL = "steps-panel";
    public static final String DETAILS_PANEL = "details-panel";
    public static final String CENTRE_SPLIT = "centre-split";
    public static final String TOKEN_SCROLL = "token-scroll";
    public static final String STEP_LIST = "step-list";
    public static final String STEP_CELL = "step-cell";
    public static final String STEP_INDEX = "step-index";
    public static final String PANEL = "panel";
    public static final String PANEL_TITLE = "panel-title";
    public static final String FIELD_LABEL = "field-label";
    public static final String HOOK_NAME = "hook-name";
    public static final String MATH = "math";
    public static final String MUTED = "muted";
    public static final String TOKEN_STRIP = "token-strip";
    public static final String TOKEN_CHIP = "token-chip";
    public static final String TOKEN_TEXT = "token-text";
    public static final String TOKEN_ID = "token-id";
    public static final String TOKEN_SPECIAL = "token-special";
    public static final String STATUS_ITEM = "status-item";
    public static final String TOKEN_SEGMENT_B = "token-segment-b";
    public static final String TOKEN_PADDING = "token-padding";
    public static final String TOKEN_ROW_LABEL = "token-row-label";
    public static final String VIEW_TABS = "view-tabs";
    public static final String BREAKPOINTS_PANEL = "breakpoints-panel";
    public static final String SIDE_SPLIT = "side-split";
    public static final String SHORTCUT_TABLE = "shortcut-table";
    public static final String PROMPT_EDITOR = "prompt-editor";
    public static final String CENTRE = "centre";
    public static final String SELECTION_BAR = "selection-bar";
    /** The note over the blurred views while a prediction is asked for. */
    public static final String CONCEAL_NOTE = "conceal-note";

    /** A step whose output is computed. */
    public static final PseudoClass COMPUTED = PseudoClass.getPseudoClass("computed");
    /** The step under the cursor. */
    public static final PseudoClass CURRENT = PseudoClass.getPseudoClass("current");
    /** The first step of a block (or of the embedding / unembedding). */
    public static final PseudoClass UNIT_START = PseudoClass.getPseudoClass("unit-start");
    /** A status message that reports a failure. */
    public static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");
    /** A step whose value an intervention replaced (steps list), or a view showing such a value. */
    public static final PseudoClass PATCHED = PseudoClass.getPseudoClass("patched");
    /** The small mark beside a patched step's name. */
    public static final String PATCH_MARK = "patch-mark";
    /** The mark beside the first step of a pass whose value was not finite (NaN, Inf). */
    public static final String NON_FINITE_MARK = "non-finite-mark";
    /** A note in a view saying which of the values it shows an intervention replaced. */
    public static final String PATCH_NOTE = "patch-note";

    private Styles() {
    }

    /** The app's stylesheet (light theme; semantic colours are declared once at its top). */
    public static String stylesheet() {
        return resource("app.css");
    }

    /** A stylesheet next to app.css, as a URL string for {@code getStylesheets()}. */
    static String resource(String name) {
        URL url = Objects.requireNonNull(Styles.class.getResource("/dev/attnstudio/app/" + name), name + " is missing");
        return url.toExternalForm();
    }
}
