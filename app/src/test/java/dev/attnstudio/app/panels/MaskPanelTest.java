package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import javafx.geometry.Point2D;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;

import static dev.attnstudio.app.panels.PanelFixture.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mask view against the engine's own hook_mask and batch: GPT-2 (causal) and MiniLM (padded batch). */
class MaskPanelTest {

    private static LoadedModel gpt2;
    private static LoadedModel minilm;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void open() throws Exception {
        gpt2 = PanelFixture.open("random-gpt2-tiny");
        minilm = PanelFixture.open("all-minilm-l6-v2");
        stage = PanelFixture.stage();
    }

    @AfterAll
    static void close() throws Exception {
        PanelFixture.close(stage, gpt2, minilm);
    }

    @Test
    void gpt2CellsAreCausalExactlyWhereTheMaskIsMinusInfinity() {
        try (Stepper stepper = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            long[] ids = gpt2.tokenizer().encode("Hello there").ids();
            int t = ids.length;
            stepper.reset(ids);
            assertNull(MaskData.from(stepper, gpt2, AttentionSource.of(gpt2.model().capabilities()), 0, 0), "nothing computed yet");
            stepper.runToEnd();
            for (int layer = 0; layer < gpt2.config().nLayer(); layer++) {
                MaskData d = MaskData.from(stepper, gpt2, AttentionSource.of(gpt2.model().capabilities()), layer, 0);
                TensorData mask = stepper.read(HookName.Block.MASK.at(layer));
                TensorData pattern = stepper.read(HookName.Block.PATTERN.at(layer));
                assertEquals(t, d.queries());
                assertEquals(t, d.keys());
                int causal = 0;
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        float m = mask.get(0, 0, mask.shape()[2] == 1 ? 0 : q, k);
                        MaskData.Cell expected = m == 0f ? MaskData.Cell.ALLOWED
                                : k > q ? MaskData.Cell.CAUSAL : MaskData.Cell.OTHER;
                        assertEquals(expected, d.cell(q, k), "layer " + layer + " cell " + q + "," + k);
                        assertEquals(k > q, m == Float.NEGATIVE_INFINITY, "the engine's mask is causal");
                        causal += d.cell(q, k) == MaskData.Cell.CAUSAL ? 1 : 0;
                        for (int h = 0; h < d.heads(); h++) {
                            assertEquals(pattern.get(0, h, q, k), d.weight(h, q, k), 0f);
                        }
                    }
                }
                assertEquals(t * (t - 1) / 2, causal);
                assertEquals(gpt2.config().nHead(), d.heads());
            }

            // a decode pass: one query over the cached keys and its own, nothing blocked
            stepper.generate(new Sampler(SamplingConfig.GREEDY));
            stepper.runToEnd();
            MaskData decode = MaskData.from(stepper, gpt2, AttentionSource.of(gpt2.model().capabilities()), 1, 0);
            assertEquals(t, decode.past());
            assertEquals(1, decode.queries());
            assertEquals(t + 1, decode.keys());
            assertEquals(t + 1, decode.keyLabels().size());
            assertEquals(t + 1, decode.counts()[MaskData.Cell.ALLOWED.ordinal()]);
        }
    }

    @Test
    void minilmPaddedBatchBlocksExactlyThePaddingKeys() {
        try (Stepper stepper = new Stepper(minilm.model(), Stepper.Options.DEFAULT)) {
            Batch batch = paddedBatch();
            stepper.reset(batch);
            stepper.runToEnd();
            int t = batch.length();
            int paddingCells = 0;
            for (int layer = 0; layer < minilm.config().nLayer(); layer++) {
                TensorData mask = stepper.read(HookName.Block.MASK.at(layer));
                for (int b = 0; b < 2; b++) {
                    MaskData d = MaskData.from(stepper, minilm, AttentionSource.of(minilm.model().capabilities()), layer, b);
                    for (int q = 0; q < t; q++) {
                        assertEquals(batch.attentionMask()[b][q] == 0, d.paddingQuery()[q]);
                        for (int k = 0; k < t; k++) {
                            float m = mask.get(mask.shape()[0] == 1 ? 0 : b, 0, mask.shape()[2] == 1 ? 0 : q, k);
                            boolean padKey = batch.attentionMask()[b][k] == 0;
                            assertEquals(padKey, m == Float.NEGATIVE_INFINITY, "the engine masks padding keys only");
                            assertEquals(padKey ? MaskData.Cell.PADDING : MaskData.Cell.ALLOWED, d.cell(q, k));
                            paddingCells += padKey ? 1 : 0;
                        }
                    }
                    assertEquals(0, d.counts()[MaskData.Cell.CAUSAL.ordinal()], "an encoder is not causal");
                }
            }
            assertTrue(paddingCells > 0, "the shorter prompt is padded");
        }
    }

    @Test
    void panelShowsTheMaskAndDescribesTheCellUnderTheMouse() throws Exception {
        MaskPanel panel = fx(MaskPanel::new);
        MaskData data;
        try (Stepper stepper = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(gpt2.tokenizer().encode("Hello there").ids());
            stepper.runToEnd();
            data = MaskData.from(stepper, gpt2, AttentionSource.of(gpt2.model().capabilities()), 0, 0);
        }
        PanelFixture.show(stage, panel, 560, 520, false);
        fx(() -> {
            panel.dataProperty().set(data);
            panel.headProperty().set(1);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        MaskCanvas canvas = panel.canvas();
        assertTrue(fx(canvas::cellSize) >= 8, "cells large enough for labels");

        double[] blocked = fx(() -> canvas.cellCentre(0, 3));
        robot.moveTo(PanelFixture.screen(canvas, blocked[0], blocked[1]));
        WaitForAsyncUtils.waitForFxEvents();
        String text = fx(() -> panel.hoverTextProperty().get());
        assertTrue(text.startsWith("query 0 'H' -> key 3 'l'") && text.contains("causal") && text.contains("-inf"), text);

        double[] allowed = fx(() -> canvas.cellCentre(4, 2));
        robot.moveTo(PanelFixture.screen(canvas, allowed[0], allowed[1]));
        WaitForAsyncUtils.waitForFxEvents();
        text = fx(() -> panel.hoverTextProperty().get());
        assertTrue(text.contains("allowed, mask 0; head 1 weight"), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%.4g", data.weight(1, 4, 2))), text);

        // keyboard: a click puts the cell cursor down, the arrows move it, and it reads out like the hover
        robot.moveTo(new Point2D(0, 0));
        assertEquals("", fx(() -> panel.hoverTextProperty().get()), "no hover and no cursor: no readout");
        double[] first = fx(() -> canvas.cellCentre(0, 0));
        robot.clickOn(PanelFixture.screen(canvas, first[0], first[1]));
        robot.moveTo(new Point2D(0, 0));
        assertTrue(fx(canvas::isFocused), "a click focuses the canvas");
        assertTrue(fx(canvas::isFocusTraversable), "Tab reaches the canvas");
        robot.push(KeyCode.RIGHT).push(KeyCode.RIGHT).push(KeyCode.DOWN).push(KeyCode.DOWN).push(KeyCode.DOWN).push(KeyCode.DOWN);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(new GridCanvas.Cell(4, 2), fx(() -> canvas.cursor.get()));
        assertEquals(text, fx(() -> panel.hoverTextProperty().get()), "the cursor's readout is the hover's");
        robot.push(KeyCode.END);
        WaitForAsyncUtils.waitForFxEvents();
        text = fx(() -> panel.hoverTextProperty().get());
        assertTrue(text.startsWith("query 4 'o' -> key " + (data.keys() - 1)), text);
        System.out.println("snapshot " + PanelFixture.snapshot(panel, "mask-gpt2-light"));
        PanelFixture.show(stage, panel, 560, 520, true);
        System.out.println("snapshot " + PanelFixture.snapshot(panel, "mask-gpt2-dark"));

        MaskData padded;
        try (Stepper stepper = new Stepper(minilm.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(paddedBatch());
            stepper.runToEnd();
            padded = MaskData.from(stepper, minilm, AttentionSource.of(minilm.model().capabilities()), 2, 0);
        }
        PanelFixture.show(stage, panel, 620, 600, false);
        fx(() -> {
            panel.dataProperty().set(padded);
            return null;
        });
        PanelFixture.snapshotBothThemes(panel, "mask-minilm-padded");
        fx(() -> {
            panel.overlayProperty().set(false);
            return null;
        });
        PanelFixture.snapshotBothThemes(panel, "mask-minilm-padded-no-overlay");
    }

    /** 43 tokens: cells smaller than a line of text; every k-th key and query keeps its label, none overlap. */
    @Test
    void fortyThreeTokensGetThinnedLabels() throws Exception {
        MaskPanel panel = fx(MaskPanel::new);
        MaskData data;
        try (Stepper stepper = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            long[] ids = gpt2.tokenizer().encode("Attention is all you need, said the paper..").ids();
            assertEquals(43, ids.length);
            stepper.reset(ids);
            stepper.runToEnd();
            data = MaskData.from(stepper, gpt2, AttentionSource.of(gpt2.model().capabilities()), 0, 0);
        }
        PanelFixture.show(stage, panel, 760, 620, false);
        fx(() -> {
            panel.dataProperty().set(data);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        MaskCanvas canvas = panel.canvas();
        double cell = fx(canvas::cellSize);
        int stride = fx(canvas::labelStride);
        double line = fx(() -> dev.attnstudio.app.heatmap.AxisLabels.lineHeight(javafx.scene.text.Font.font("Monospaced", 11)));
        assertTrue(cell < line, "cells of " + cell + " px are smaller than a line of " + line);
        assertTrue(stride > 1 && stride * cell >= line, "labels every " + stride + " cells of " + cell + " px overlap");
        double[] unlabelled = fx(() -> canvas.cellCentre(3, 1));
        robot.moveTo(PanelFixture.screen(canvas, unlabelled[0], unlabelled[1]));
        WaitForAsyncUtils.waitForFxEvents();
        String text = fx(() -> panel.hoverTextProperty().get());
        assertTrue(text.startsWith("query 3 '" + data.queryLabels().get(3) + "' -> key 1 '" + data.keyLabels().get(1) + "'"), text);
        System.out.println("snapshot " + PanelFixture.snapshot(panel, "mask-43-tokens"));
    }

    private static Batch paddedBatch() {
        long[] a = minilm.tokenizer().encode("The cat sat.").ids();
        long[] b = minilm.tokenizer().encode("A much longer second sentence is here.").ids();
        return Batch.pad(List.of(a, b), null, Batch.Padding.RIGHT, 0);
    }
}
