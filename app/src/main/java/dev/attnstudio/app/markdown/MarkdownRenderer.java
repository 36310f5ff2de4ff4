package dev.attnstudio.app.markdown;

import javafx.geometry.HPos;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;
import javafx.scene.text.TextFlow;
import org.commonmark.Extension;
import org.commonmark.ext.autolink.AutolinkExtension;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableHead;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.Emphasis;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Image;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.ListBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.StrongEmphasis;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.function.Consumer;

/**
 * Markdown (CommonMark with GitHub tables and bare-URL links) drawn as JavaFX nodes, no WebView: headings, paragraphs
 * with emphasis, strong text, inline code and links, bullet and numbered lists, block quotes, code blocks, tables
 * (with their column alignment) and rules. Pictures are not drawn; their alt text and file name stand in for them.
 * Raw HTML is shown as text, but for {@code <sup>} and {@code <sub>}, drawn as exponents and indices. The nodes carry the style classes of {@link MarkdownStyles}, styled by
 * {@code markdown.css} in both themes.
 *
 * <p>Parsing is pure and may run on any thread ({@link #parse}); building nodes runs on the FX thread.
 */
public final class MarkdownRenderer {

    /** The inline HTML a page may use for exponents and indices (e<sup>x</sup>, q<sub>i</sub>); other HTML is text. */
    private static final java.util.regex.Pattern SCRIPT_TAG =
            java.util.regex.Pattern.compile("(?i)</?(sup|sub)>");

    private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create(), AutolinkExtension.create());
    /** Thread-safe once built. */
    private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();

    private final Consumer<String> onLink;
    /** The formulas of the document being rendered, by marker number (see {@link Formulas}); empty without. */
    private List<Formulas.Formula> formulas = List.of();

    /**
     * @param onLink called with a link's destination when it is clicked (or activated with the keyboard)
     */
    public MarkdownRenderer(Consumer<String> onLink) {
        this.onLink = onLink;
    }

    /**
     * Markdown with TeX formulas ({@code $...$} inline, {@code $$...$$} as a paragraph of its own): the blocks as
     * nodes, each formula drawn by {@link Formulas}. FX thread.
     */
    public List<Node> renderWithFormulas(String markdown) {
        Formulas.Marked marked = Formulas.mark(markdown);
        formulas = marked.formulas();
        try {
            return render(parse(marked.markdown()));
        } finally {
            formulas = List.of();
        }
    }

    /** The document tree of {@code markdown}; any thread. */
    public static org.commonmark.node.Node parse(String markdown) {
        return PARSER.parse(markdown == null ? "" : markdown);
    }

    /** The blocks of a parsed document, in order, as nodes. FX thread. */
    public List<Node> render(org.commonmark.node.Node document) {
        return blocks(document);
    }

    private List<Node> blocks(org.commonmark.node.Node parent) {
        List<Node> out = new ArrayList<>();
        for (org.commonmark.node.Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
            Node block = block(n);
            if (block != null) {
                out.add(block);
            }
        }
        return out;
    }

    private Node block(org.commonmark.node.Node n) {
        if (n instanceof Heading h) {
            return flow(h, MarkdownStyles.HEADING, MarkdownStyles.heading(h.getLevel()));
        }
        if (n instanceof Paragraph p) {
            Node display = displayFormula(p);
            return display != null ? display : flow(p, MarkdownStyles.PARAGRAPH);
        }
        if (n instanceof BlockQuote q) {
            VBox quote = new VBox();
            quote.getStyleClass().add(MarkdownStyles.QUOTE);
            quote.getChildren().setAll(blocks(q));
            return quote;
        }
        if (n instanceof ListBlock list) {
            return list(list);
        }
        if (n instanceof FencedCodeBlock code) {
            return codeBlock(code.getLiteral());
        }
        if (n instanceof IndentedCodeBlock code) {
            return codeBlock(code.getLiteral());
        }
        if (n instanceof HtmlBlock html) {
            return codeBlock(html.getLiteral());
        }
        if (n instanceof ThematicBreak) {
            Separator rule = new Separator();
            rule.getStyleClass().add(MarkdownStyles.RULE);
            return rule;
        }
        if (n instanceof TableBlock table) {
            return table(table);
        }
        return null; // link reference definitions and the like draw nothing
    }

    private Node list(ListBlock list) {
        VBox box = new VBox();
        box.getStyleClass().add(MarkdownStyles.LIST);
        int number = list instanceof OrderedList o ? o.getStartNumber() : 0;
        for (org.commonmark.node.Node n = list.getFirstChild(); n != null; n = n.getNext()) {
            if (!(n instanceof ListItem item)) {
                continue;
            }
            Label marker = new Label(list instanceof OrderedList ? number++ + "." : "\u2022");
            marker.getStyleClass().add(MarkdownStyles.LIST_MARKER);
            marker.setMinWidth(Region.USE_PREF_SIZE);
            VBox content = new VBox(4);
            content.getChildren().setAll(blocks(item));
            HBox.setHgrow(content, Priority.ALWAYS);
            content.setMinWidth(0);
            HBox row = new HBox(marker, content);
            row.getStyleClass().add(MarkdownStyles.LIST_ITEM);
            box.getChildren().add(row);
        }
        return box;
    }

    private static Node codeBlock(String literal) {
        String text = literal.endsWith("\n") ? literal.substring(0, literal.length() - 1) : literal;
        Label code = new Label(text);
        code.getStyleClass().add(MarkdownStyles.CODE_BLOCK);
        code.setWrapText(true);
        code.setMaxWidth(Double.MAX_VALUE);
        code.setMinHeight(Region.USE_PREF_SIZE);
        return code;
    }

    /** A GitHub table: a header row and body rows; each cell wraps its text and keeps its column's alignment. */
    private Node table(TableBlock table) {
        GridPane grid = new GridPane();
        grid.getStyleClass().add(MarkdownStyles.TABLE);
        grid.setMaxWidth(Region.USE_PREF_SIZE);
        int row = 0;
        int columns = 0;
        for (org.commonmark.node.Node section = table.getFirstChild(); section != null; section = section.getNext()) {
            for (org.commonmark.node.Node r = section.getFirstChild(); r != null; r = r.getNext()) {
                if (!(r instanceof TableRow) || (section instanceof TableHead && plainText(r).isBlank())) {
                    continue; // "| | |" heads a table of key-value rows: no header to draw
                }
                int column = 0;
                for (org.commonmark.node.Node c = r.getFirstChild(); c != null; c = c.getNext()) {
                    if (c instanceof TableCell cell) {
                        grid.add(cell(cell), column++, row);
                    }
                }
                columns = Math.max(columns, column);
                row++;
            }
        }
        for (int c = 0; c < columns; c++) {
            ColumnConstraints constraints = new ColumnConstraints();
            constraints.setHgrow(Priority.SOMETIMES);
            constraints.setFillWidth(true);
            constraints.setHalignment(HPos.LEFT);
            grid.getColumnConstraints().add(constraints);
        }
        return grid;
    }

    private TextFlow cell(TableCell cell) {
        TextFlow flow = new CellFlow();
        flow.getStyleClass().add(MarkdownStyles.TABLE_CELL);
        if (cell.isHeader()) {
            flow.getStyleClass().add(MarkdownStyles.TABLE_HEADER);
        }
        List<Node> runs = new ArrayList<>();
        inlines(cell, List.of(), runs);
        flow.getChildren().setAll(runs);
        flow.setTextAlignment(cell.getAlignment() == null ? TextAlignment.LEFT : switch (cell.getAlignment()) {
            case CENTER -> TextAlignment.CENTER;
            case RIGHT -> TextAlignment.RIGHT;
            case LEFT -> TextAlignment.LEFT;
        });
        flow.setMaxWidth(Double.MAX_VALUE);
        flow.setMaxHeight(Double.MAX_VALUE);
        GridPane.setFillHeight(flow, true);
        return flow;
    }

    /**
     * A table cell: as narrow as its longest word (so a long cell wraps between words rather than pushing the table off
     * screen, and a short one never breaks inside a word).
     */
    private static final class CellFlow extends TextFlow {

        @Override
        protected double computeMinWidth(double height) {
            double widest = 0;
            Text probe = new Text();
            for (Node child : getChildren()) {
                if (child instanceof Text t) {
                    probe.setFont(t.getFont());
                    for (String word : t.getText().split("\\s+")) {
                        probe.setText(word);
                        widest = Math.max(widest, probe.getLayoutBounds().getWidth());
                    }
                } else {
                    widest = Math.max(widest, child.prefWidth(-1)); // a link does not break
                }
            }
            return Math.ceil(widest) + snappedLeftInset() + snappedRightInset() + 1;
        }
    }

    /** A block of inline content (a paragraph, a heading, a table cell) as one wrapping text flow. */
    private TextFlow flow(org.commonmark.node.Node block, String... styleClasses) {
        TextFlow flow = new TextFlow();
        flow.getStyleClass().addAll(styleClasses);
        List<Node> runs = new ArrayList<>();
        inlines(block, List.of(), runs);
        flow.getChildren().setAll(runs);
        return flow;
    }

    /**
     * The inline children of {@code parent} as runs of text, each with the style classes of what encloses it
     * ({@code enclosing}: emphasis, strong).
     */
    private void inlines(org.commonmark.node.Node parent, List<String> outer, List<Node> out) {
        List<String> enclosing = outer; // with SUPERSCRIPT or SUBSCRIPT while a <sup> or <sub> is open
        for (org.commonmark.node.Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof HtmlInline html && SCRIPT_TAG.matcher(html.getLiteral()).matches()) {
                String tag = html.getLiteral().toLowerCase(java.util.Locale.ROOT);
                enclosing = tag.startsWith("</") ? outer
                        : with(outer, tag.contains("sup") ? MarkdownStyles.SUPERSCRIPT : MarkdownStyles.SUBSCRIPT);
            } else if (n instanceof org.commonmark.node.Text t) {
                textWithFormulas(t.getLiteral(), enclosing, out);
            } else if (n instanceof Code c) {
                out.add(text(c.getLiteral(), with(enclosing, MarkdownStyles.CODE)));
            } else if (n instanceof Emphasis) {
                inlines(n, with(enclosing, MarkdownStyles.EMPHASIS), out);
            } else if (n instanceof StrongEmphasis) {
                inlines(n, with(enclosing, MarkdownStyles.STRONG), out);
            } else if (n instanceof Link link) {
                out.add(link(link));
            } else if (n instanceof Image image) {
                String alt = plainText(image);
                out.add(text("[figure" + (alt.isBlank() ? "" : ": " + alt) + " \u00b7 " + image.getDestination() + "]",
                        with(enclosing, MarkdownStyles.FIGURE)));
            } else if (n instanceof SoftLineBreak) {
                out.add(text(" ", enclosing));
            } else if (n instanceof HardLineBreak) {
                out.add(text("\n", enclosing));
            } else if (n instanceof HtmlInline html) {
                out.add(text(html.getLiteral(), enclosing));
            } else {
                inlines(n, enclosing, out); // an extension's inline: its text
            }
        }
    }

    /** A paragraph that is one display formula, centred; else null. */
    private Node displayFormula(Paragraph p) {
        if (formulas.isEmpty() || !(p.getFirstChild() instanceof org.commonmark.node.Text t) || t.getNext() != null) {
            return null;
        }
        Matcher m = Formulas.MARKER.matcher(t.getLiteral().strip());
        if (!m.matches()) {
            return null;
        }
        int i = Integer.parseInt(m.group(1));
        if (i >= formulas.size()) {
            return null;
        }
        Formulas.Formula f = formulas.get(i);
        HBox box = new HBox(Formulas.node(new Formulas.Formula(f.tex(), true)));
        box.setAlignment(Pos.CENTER);
        box.getStyleClass().add(MarkdownStyles.FORMULA_DISPLAY);
        return box;
    }

    /** A run of text, its formula markers drawn as formulas. */
    private void textWithFormulas(String literal, List<String> enclosing, List<Node> out) {
        if (formulas.isEmpty()) {
            out.add(text(literal, enclosing));
            return;
        }
        Matcher m = Formulas.MARKER.matcher(literal);
        int at = 0;
        while (m.find()) {
            int i = Integer.parseInt(m.group(1));
            if (i >= formulas.size()) {
                continue;
            }
            if (m.start() > at) {
                out.add(text(literal.substring(at, m.start()), enclosing));
            }
            out.add(Formulas.node(formulas.get(i)));
            at = m.end();
        }
        if (at < literal.length()) {
            out.add(text(literal.substring(at), enclosing));
        }
    }

    private Node link(Link link) {
        String label = plainText(link);
        Hyperlink h = new Hyperlink(label.isBlank() ? link.getDestination() : label);
        h.getStyleClass().add(MarkdownStyles.LINK);
        h.setTooltip(new Tooltip(link.getTitle() == null || link.getTitle().isBlank() ? link.getDestination()
                : link.getTitle() + "\n" + link.getDestination()));
        h.setOnAction(e -> onLink.accept(link.getDestination()));
        h.setFocusTraversable(true);
        h.setAlignment(Pos.BASELINE_LEFT);
        return h;
    }

    private static Text text(String literal, List<String> styleClasses) {
        Text t = new Text(literal);
        t.getStyleClass().add(MarkdownStyles.TEXT);
        t.getStyleClass().addAll(styleClasses);
        if (styleClasses.contains(MarkdownStyles.SUPERSCRIPT) || styleClasses.contains(MarkdownStyles.SUBSCRIPT)) {
            // raised or lowered by a third of the line's font (the stylesheet makes the script itself smaller)
            boolean up = styleClasses.contains(MarkdownStyles.SUPERSCRIPT);
            t.translateYProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
                    () -> (up ? -0.45 : 0.25) * t.getFont().getSize(), t.fontProperty()));
        }
        return t;
    }

    private static List<String> with(List<String> classes, String added) {
        List<String> out = new ArrayList<>(classes);
        out.add(added);
        return out;
    }

    /** The text under a node, without its formatting (for link labels and picture captions). */
    static String plainText(org.commonmark.node.Node node) {
        StringBuilder out = new StringBuilder();
        for (org.commonmark.node.Node n = node.getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof org.commonmark.node.Text t) {
                out.append(t.getLiteral());
            } else if (n instanceof Code c) {
                out.append(c.getLiteral());
            } else if (n instanceof SoftLineBreak || n instanceof HardLineBreak) {
                out.append(' ');
            } else {
                out.append(plainText(n));
            }
        }
        return out.toString();
    }
}
