package dev.attnstudio.app.markdown;

import javafx.scene.Node;
import javafx.scene.control.Hyperlink;
import javafx.scene.layout.HBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Formulas in lesson pages: found in the Markdown, drawn by JLaTeXMath, placed in the text. */
class FormulasTest {

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @Test
    void inlineAndDisplayFormulasAreFoundOutsideCode() {
        Formulas.Marked m = Formulas.mark("The score is $q \\cdot k / \\sqrt{d_k}$ here.\n\n$$\\mathrm{softmax}(x)_i ="
                + " \\frac{e^{x_i}}{\\sum_j e^{x_j}}$$\n\nIn code `$x$` stays, and it costs $5 and $6.\n\n    $$ indented $$");
        assertEquals(List.of(new Formulas.Formula("q \\cdot k / \\sqrt{d_k}", false),
                new Formulas.Formula("\\mathrm{softmax}(x)_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}", true)), m.formulas());
        assertTrue(m.markdown().contains("`$x$`"), "a code span keeps its dollars");
        assertTrue(m.markdown().contains("costs $5 and $6"), "amounts of money are not formulas");
        assertTrue(m.markdown().contains("    $$ indented $$"), "a code block keeps its dollars");
        assertEquals(List.of(), Formulas.mark("a \\$ sign").formulas());
        assertEquals("a $ sign", Formulas.mark("a \\$ sign").markdown());
    }

    @Test
    void aFormulaIsDrawnAndADisplayOneIsLarger() throws Exception {
        Formulas.Picture inline = fx(() -> Formulas.picture("\\frac{a}{b}", false));
        Formulas.Picture display = fx(() -> Formulas.picture("\\frac{a}{b}", true));
        assertTrue(inline.width() > 4 && inline.height() > 8, inline.toString());
        assertTrue(display.height() > inline.height(), "a display fraction is taller");
        assertTrue(inline.depth() > 0 && inline.depth() < inline.height());
        assertTrue(dark(inline), "the picture has ink");
        assertThrows(RuntimeException.class, () -> Formulas.picture("\\nosuchcommand{a}", false));
    }

    @Test
    void aPageDrawsFormulasAmongItsTextAndBadTexAsItsSource() throws Exception {
        List<Node> blocks = fx(() -> new MarkdownRenderer(url -> { }).renderWithFormulas(
                "Weights: $w_i = e^{s_i}$ and [a link](view:head?layer=0).\n\n$$\\sqrt{d_{head}}$$\n\nBad: $\\nosuchcommand{a}$ end."));
        assertEquals(3, blocks.size());
        TextFlow first = assertInstanceOf(TextFlow.class, blocks.get(0));
        List<String> kinds = new ArrayList<>();
        for (Node n : first.getChildren()) {
            kinds.add(n instanceof Formulas.FormulaRegion f ? "formula:" + f.tex() : n instanceof Hyperlink h
                    ? "link:" + h.getText() : ((Text) n).getText());
        }
        assertEquals(List.of("Weights: ", "formula:w_i = e^{s_i}", " and ", "link:a link", "."), kinds);
        HBox display = assertInstanceOf(HBox.class, blocks.get(1));
        assertTrue(display.getStyleClass().contains(MarkdownStyles.FORMULA_DISPLAY));
        assertInstanceOf(Formulas.FormulaRegion.class, display.getChildren().get(0));
        TextFlow bad = assertInstanceOf(TextFlow.class, blocks.get(2));
        Text source = (Text) bad.getChildren().stream().filter(n -> n.getStyleClass().contains(MarkdownStyles.FORMULA_ERROR))
                .findFirst().orElseThrow();
        assertEquals("$\\nosuchcommand{a}$", source.getText());
        assertFalse(new MarkdownRenderer(url -> { }).render(MarkdownRenderer.parse("$x$")).isEmpty());
    }

    private static boolean dark(Formulas.Picture p) {
        var reader = p.image().getPixelReader();
        for (int y = 0; y < (int) p.image().getHeight(); y++) {
            for (int x = 0; x < (int) p.image().getWidth(); x++) {
                if (reader.getColor(x, y).getOpacity() > 0.5) {
                    return true;
                }
            }
        }
        return false;
    }

    private static <T> T fx(java.util.concurrent.Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(20, TimeUnit.SECONDS);
    }
}
