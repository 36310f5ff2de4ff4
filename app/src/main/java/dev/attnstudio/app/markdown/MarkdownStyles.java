package dev.attnstudio.app.markdown;

import java.net.URL;
import java.util.Objects;

/** Style-class names the Markdown renderer sets and {@code markdown.css} styles. */
public final class MarkdownStyles {

    /** The rendered document. */
    public static final String DOCUMENT = "md-document";
    /** Every heading; with {@link #heading(int)} for its level. */
    public static final String HEADING = "md-heading";
    public static final String PARAGRAPH = "md-paragraph";
    public static final String QUOTE = "md-quote";
    public static final String LIST = "md-list";
    public static final String LIST_ITEM = "md-list-item";
    public static final String LIST_MARKER = "md-list-marker";
    public static final String CODE_BLOCK = "md-code-block";
    public static final String TABLE = "md-table";
    public static final String TABLE_CELL = "md-cell";
    public static final String TABLE_HEADER = "md-header-cell";
    public static final String RULE = "md-rule";
    /** Every run of text; with {@link #EMPHASIS}, {@link #STRONG}, {@link #CODE} for what encloses it. */
    public static final String TEXT = "md-text";
    public static final String EMPHASIS = "md-em";
    public static final String STRONG = "md-strong";
    public static final String CODE = "md-code";
    public static final String SUPERSCRIPT = "md-sup";
    public static final String SUBSCRIPT = "md-sub";
    public static final String LINK = "md-link";
    /** Where a picture would go (not drawn: the text says what it shows and where the file is). */
    public static final String FIGURE = "md-figure";
    /** A TeX formula (its colour is the region's background); {@link #FORMULA_DISPLAY} for a centred one. */
    public static final String FORMULA = "md-formula";
    public static final String FORMULA_DISPLAY = "md-formula-display";
    /** A formula that could not be read, shown as its source. */
    public static final String FORMULA_ERROR = "md-formula-error";

    private MarkdownStyles() {
    }

    /** {@code md-h1} ... {@code md-h6}. */
    public static String heading(int level) {
        return "md-h" + Math.max(1, Math.min(6, level));
    }

    /** The renderer's stylesheet: rules over the theme's semantic colour tokens ({@code -as-*}) only. */
    public static String stylesheet() {
        URL url = Objects.requireNonNull(MarkdownStyles.class.getResource("/dev/attnstudio/app/markdown/markdown.css"),
                "markdown.css is missing");
        return url.toExternalForm();
    }
}
