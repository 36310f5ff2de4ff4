package dev.attnstudio.app.markdown;

import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;
import javafx.scene.text.TextFlow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Markdown drawn as JavaFX nodes: each construct becomes the node a reader expects, with its style classes. */
class MarkdownRendererTest {

    private static final String DOC = """
            # Title with `code`

            A paragraph with *emphasis*, **strong text**, `inline code` and a [link](https://example.org "Example").
            A second line of the same paragraph; a bare https://example.com/x too.

            ## Lists

            - one
            - two **bold**

            3. three
            4. four

            > quoted

            ```text
            And God said
            ```

                indented code

            | name | value |
            |:---|---:|
            | a | 1.5 |
            | b | 22 |

            ---

            ![loss curve](loss.svg)
            """;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @Test
    void everyConstructBecomesItsNode() throws Exception {
        List<String> links = new ArrayList<>();
        List<Node> blocks = fx(() -> new MarkdownRenderer(links::add).render(MarkdownRenderer.parse(DOC)));

        TextFlow h1 = assertInstanceOf(TextFlow.class, blocks.get(0));
        assertTrue(h1.getStyleClass().containsAll(List.of(MarkdownStyles.HEADING, "md-h1")));
        assertEquals("Title with code", text(h1));
        assertTrue(runs(h1).get(1).getStyleClass().contains(MarkdownStyles.CODE), "inline code in a heading");

        TextFlow paragraph = assertInstanceOf(TextFlow.class, blocks.get(1));
        assertTrue(paragraph.getStyleClass().contains(MarkdownStyles.PARAGRAPH));
        assertTrue(text(paragraph).startsWith("A paragraph with emphasis, strong text, inline code and a link. A second line"),
                text(paragraph));
        assertEquals(List.of("emphasis"), styled(paragraph, MarkdownStyles.EMPHASIS));
        assertEquals(List.of("strong text"), styled(paragraph, MarkdownStyles.STRONG));
        assertEquals(List.of("inline code"), styled(paragraph, MarkdownStyles.CODE));
        List<Hyperlink> hyperlinks = paragraph.getChildren().stream().filter(n -> n instanceof Hyperlink).map(n -> (Hyperlink) n).toList();
        assertEquals(List.of("link", "https://example.com/x"), hyperlinks.stream().map(Hyperlink::getText).toList());
        assertEquals("Example\nhttps://example.org", hyperlinks.get(0).getTooltip().getText());
        fx(() -> {
            hyperlinks.forEach(Hyperlink::fire);
            return null;
        });
        assertEquals(List.of("https://example.org", "https://example.com/x"), links);

        assertTrue(blocks.get(2).getStyleClass().contains("md-h2"));
        VBox bullets = assertInstanceOf(VBox.class, blocks.get(3));
        assertTrue(bullets.getStyleClass().contains(MarkdownStyles.LIST));
        assertEquals(List.of("\u2022", "\u2022"), markers(bullets));
        assertEquals("two bold", text(((VBox) ((HBox) bullets.getChildren().get(1)).getChildren().get(1)).getChildren().get(0)));
        assertEquals(List.of("3.", "4."), markers((VBox) blocks.get(4)), "numbered lists keep their start");

        VBox quote = assertInstanceOf(VBox.class, blocks.get(5));
        assertTrue(quote.getStyleClass().contains(MarkdownStyles.QUOTE));
        assertEquals("quoted", text(quote.getChildren().get(0)));

        Label fenced = assertInstanceOf(Label.class, blocks.get(6));
        assertTrue(fenced.getStyleClass().contains(MarkdownStyles.CODE_BLOCK));
        assertEquals("And God said", fenced.getText());
        assertEquals("indented code", ((Label) blocks.get(7)).getText());

        GridPane table = assertInstanceOf(GridPane.class, blocks.get(8));
        assertTrue(table.getStyleClass().contains(MarkdownStyles.TABLE));
        assertEquals(6, table.getChildren().size(), "a header and two rows of two cells");
        TextFlow header = cellAt(table, 0, 0);
        assertTrue(header.getStyleClass().contains(MarkdownStyles.TABLE_HEADER));
        assertEquals("name", text(header));
        assertEquals("22", text(cellAt(table, 1, 2)));
        assertEquals(TextAlignment.RIGHT, cellAt(table, 1, 1).getTextAlignment(), "---: aligns right");
        assertEquals(TextAlignment.LEFT, cellAt(table, 0, 1).getTextAlignment());

        assertInstanceOf(Separator.class, blocks.get(9));
        TextFlow figure = assertInstanceOf(TextFlow.class, blocks.get(10));
        assertEquals("[figure: loss curve \u00b7 loss.svg]", text(figure));
        assertTrue(runs(figure).get(0).getStyleClass().contains(MarkdownStyles.FIGURE));
        assertEquals(11, blocks.size());
    }

    @Test
    void theViewRedrawsWhenItsTextChanges() throws Exception {
        MarkdownView view = fx(() -> new MarkdownView("# One\n\ntext"));
        assertEquals(2, (int) fx(() -> view.getChildren().size()));
        fx(() -> {
            view.setMarkdown("# Two");
            return null;
        });
        assertEquals("Two", fx(() -> text(view.getChildren().get(0))));
        assertTrue(view.getStylesheets().contains(MarkdownStyles.stylesheet()));
    }

    @Test
    void supAndSubAreExponentsAndIndicesAndOtherHtmlStaysText() throws Exception {
        List<Node> blocks = fx(() -> new MarkdownRenderer(link -> { }).render(MarkdownRenderer.parse(
                "e<sup>-inf</sup> = 0, q<SUB>i</SUB> and <b>bold</b>")));
        TextFlow p = (TextFlow) blocks.get(0);
        assertEquals("e-inf = 0, qi and <b>bold</b>", text(p), "no sup or sub tag is shown, other HTML is");
        assertEquals(List.of("-inf"), styled(p, MarkdownStyles.SUPERSCRIPT));
        assertEquals(List.of("i"), styled(p, MarkdownStyles.SUBSCRIPT));
        Text exponent = runs(p).stream().filter(t -> t.getText().equals("-inf")).findFirst().orElseThrow();
        Text index = runs(p).stream().filter(t -> t.getText().equals("i")).findFirst().orElseThrow();
        assertTrue(fx(exponent::getTranslateY) < 0, "raised");
        assertTrue(fx(index::getTranslateY) > 0, "lowered");
        assertTrue(runs(p).stream().filter(t -> t.getText().contains("=")).allMatch(t -> t.getTranslateY() == 0),
                "the text after </sup> is on the line again");
    }

    private static TextFlow cellAt(GridPane grid, int column, int row) {
        return (TextFlow) grid.getChildren().stream()
                .filter(n -> GridPane.getColumnIndex(n) == column && GridPane.getRowIndex(n) == row).findFirst().orElseThrow();
    }

    private static List<String> markers(VBox list) {
        return list.getChildren().stream().map(n -> ((Label) ((HBox) n).getChildren().get(0)).getText()).toList();
    }

    private static List<Text> runs(TextFlow flow) {
        return flow.getChildren().stream().filter(n -> n instanceof Text).map(n -> (Text) n).toList();
    }

    private static List<String> styled(TextFlow flow, String styleClass) {
        return runs(flow).stream().filter(t -> t.getStyleClass().contains(styleClass)).map(Text::getText).toList();
    }

    /** The text a reader sees in a node (runs and link labels, in order). */
    static String text(Node node) {
        if (node instanceof Text t) {
            return t.getText();
        }
        if (node instanceof Hyperlink h) {
            return h.getText();
        }
        if (node instanceof Label l) {
            return l.getText();
        }
        if (node instanceof Parent p) {
            return p.getChildrenUnmodifiable().stream().map(MarkdownRendererTest::text).collect(Collectors.joining());
        }
        return "";
    }

    private static <T> T fx(Callable<T> call) throws Exception {
        return WaitForAsyncUtils.asyncFx(call).get(10, TimeUnit.SECONDS);
    }
}
