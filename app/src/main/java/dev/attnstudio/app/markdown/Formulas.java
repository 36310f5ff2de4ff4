package dev.attnstudio.app.markdown;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.Region;
import javafx.scene.text.Text;
import org.scilab.forge.jlatexmath.TeXConstants;
import org.scilab.forge.jlatexmath.TeXFormula;
import org.scilab.forge.jlatexmath.TeXIcon;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TeX formulas in Markdown: {@code $...$} inline and {@code $$...$$} on a paragraph of its own, drawn with JLaTeXMath.
 * Before parsing, each formula is swapped for a marker of private-use characters (so the Markdown parser cannot
 * mistake its underscores and stars for emphasis); the renderer draws a marker as the formula. A formula is drawn in
 * the text's colour of the theme: its picture is the clip of a region whose background the stylesheet colours.
 */
public final class Formulas {

    /** Opens and closes a marker: {@code \uE000 3 \uE001} is formula 3. */
    static final char OPEN = '\uE000';
    static final char CLOSE = '\uE001';
    static final Pattern MARKER = Pattern.compile(OPEN + "(\\d+)" + CLOSE);
    /**
     * {@code $$...$$}, or {@code $...$} that does not start or end with a space and is not followed by a digit (so
     * "costs $5 and $6" stays text); {@code \$} is a dollar sign.
     */
    private static final Pattern FORMULA = Pattern.compile(
            "\\$\\$(.+?)\\$\\$|(?<![\\\\$])\\$(?![\\s$])((?:[^$\\\\\\n]|\\\\.)+?)(?<!\\s)\\$(?!\\d)", Pattern.DOTALL);
    /** Pixels per em the formula is drawn at, twice over for a sharp picture on a scaled screen. */
    private static final float SIZE = 15f;
    private static final int OVERSAMPLE = 2;

    /** A formula found in the text. */
    public record Formula(String tex, boolean display) {
    }

    /** Markdown with formulas swapped for markers, and the formulas by marker number. */
    public record Marked(String markdown, List<Formula> formulas) {
    }

    private Formulas() {
    }

    /** Swaps every formula outside code spans and code blocks for a marker. */
    public static Marked mark(String markdown) {
        List<Formula> found = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        boolean fenced = false;
        for (String line : (markdown == null ? "" : markdown).split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
            }
            if (fenced || line.startsWith("    ") || line.startsWith("\t")) {
                out.append(line);
                continue;
            }
            // code spans keep their dollars: only the parts between backticks are looked at
            String[] parts = line.split("`", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    out.append('`');
                }
                out.append(i % 2 == 1 && i < parts.length - 1 ? parts[i] : swap(parts[i], found));
            }
        }
        return new Marked(out.toString(), List.copyOf(found));
    }

    private static String swap(String text, List<Formula> found) {
        Matcher m = FORMULA.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            boolean display = m.group(1) != null;
            found.add(new Formula((display ? m.group(1) : m.group(2)).strip(), display));
            m.appendReplacement(out, Matcher.quoteReplacement(OPEN + Integer.toString(found.size() - 1) + CLOSE));
        }
        m.appendTail(out);
        return out.toString().replace("\\$", "$");
    }

    /**
     * A formula drawn as a node (FX thread): the picture as the clip of a region coloured by {@code md-formula}; a
     * formula JLaTeXMath cannot read is shown as its source, marked as an error.
     */
    public static Node node(Formula f) {
        Picture p;
        try {
            p = picture(f.tex(), f.display());
        } catch (RuntimeException e) {
            Text t = new Text((f.display() ? "$$" : "$") + f.tex() + (f.display() ? "$$" : "$"));
            t.getStyleClass().addAll(MarkdownStyles.TEXT, MarkdownStyles.CODE, MarkdownStyles.FORMULA_ERROR);
            return t;
        }
        return new FormulaRegion(p, f);
    }

    /** A formula's picture: black on transparent, with its size in pixels and the depth below the baseline. */
    public record Picture(Image image, double width, double height, double depth) {
    }

    /**
     * Draws a formula with JLaTeXMath.
     *
     * @throws RuntimeException (JLaTeXMath's ParseException) for TeX it cannot read
     */
    public static Picture picture(String tex, boolean display) {
        TeXFormula formula = new TeXFormula(tex);
        TeXIcon icon = formula.createTeXIcon(display ? TeXConstants.STYLE_DISPLAY : TeXConstants.STYLE_TEXT,
                SIZE * OVERSAMPLE);
        icon.setInsets(new java.awt.Insets(1, 1, 1, 1));
        int w = Math.max(1, icon.getIconWidth());
        int h = Math.max(1, icon.getIconHeight());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            icon.setForeground(java.awt.Color.BLACK);
            icon.paintIcon(null, g, 0, 0);
        } finally {
            g.dispose();
        }
        return new Picture(SwingFXUtils.toFXImage(img, null), w / (double) OVERSAMPLE, h / (double) OVERSAMPLE,
                (icon.getIconDepth() + 1) / (double) OVERSAMPLE);
    }

    /** A region the size of the formula, its background (the text colour) showing through the formula's shape. */
    static final class FormulaRegion extends Region {
        private final Picture picture;
        private final Formula formula;

        FormulaRegion(Picture picture, Formula formula) {
            this.picture = picture;
            this.formula = formula;
            getStyleClass().add(MarkdownStyles.FORMULA);
            ImageView mask = new ImageView(picture.image());
            mask.setFitWidth(picture.width());
            mask.setFitHeight(picture.height());
            mask.setSmooth(true);
            setClip(mask);
            setMinSize(picture.width(), picture.height());
            setPrefSize(picture.width(), picture.height());
            setMaxSize(picture.width(), picture.height());
            setAccessibleText(formula.tex());
        }

        /** The formula's TeX. */
        String tex() {
            return formula.tex();
        }

        @Override
        public double getBaselineOffset() {
            return picture.height() - picture.depth();
        }
    }
}
