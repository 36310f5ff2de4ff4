package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import javafx.scene.chart.XYChart;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;
import java.util.Locale;

import static dev.attnstudio.app.panels.PanelFixture.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The entropy heatmap against the engine's HeadEntropy: GPT-2 while generating, MiniLM with padding. */
class EntropyPanelTest {

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
    void cellsAreTheEnginesHeadEntropyAndEvolveAcrossGeneratedTokens() throws Exception {
        try (Stepper stepper = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(gpt2.tokenizer().encode("Attention is all").ids());
            stepper.runTo("blocks.1.attn.hook_pattern");
            EntropyData partial = EntropyData.from(stepper, gpt2, AttentionSource.of(gpt2.model().capabilities()), 0);
            assertTrue(Float.isNaN(partial.mean(2, 0)), "layer 2 is not computed yet");
            assertEquals(HeadEntropy.of(stepper, 1).meanNormalized(0, 3), partial.mean(1, 3), 1e-6f);

            stepper.runToEnd();
            EntropyData prompt = EntropyData.from(stepper, gpt2, AttentionSource.of(gpt2.model().capabilities()), 0);
            float[][] promptMeans = new float[gpt2.config().nLayer()][gpt2.config().nHead()];
            for (int l = 0; l < prompt.layers(); l++) {
                HeadEntropy e = HeadEntropy.of(stepper, l);
                for (int h = 0; h < prompt.heads(); h++) {
                    assertEquals(e.meanNormalized(0, h), prompt.mean(l, h), 1e-6f, "L" + l + " H" + h);
                    promptMeans[l][h] = prompt.mean(l, h);
                    for (int q = 0; q < prompt.queries(); q++) {
                        assertEquals(e.normalized(0, h, q), prompt.perQuery(l, h, q), 0f);
                    }
                }
            }
            for (int i = 0; i < 3; i++) {
                stepper.generate(new Sampler(SamplingConfig.GREEDY));
                stepper.runToEnd();
            }
            EntropyData d = EntropyData.from(stepper, gpt2, AttentionSource.of(gpt2.model().capabilities()), 0);
            assertEquals(4, d.evolution().size());
            assertEquals(1, d.queries(), "a decode pass has one query");
            for (int l = 0; l < d.layers(); l++) {
                HeadEntropy e = HeadEntropy.of(stepper, l);
                for (int h = 0; h < d.heads(); h++) {
                    assertEquals(e.normalized(0, h, 0), d.mean(l, h), 1e-6f);
                    assertEquals(promptMeans[l][h], d.evolution().get(0).mean()[l * d.heads() + h], 0f);
                    assertEquals(d.mean(l, h), d.evolution().get(3).mean()[l * d.heads() + h], 0f);
                }
            }

            EntropyPanel panel = fx(EntropyPanel::new);
            PanelFixture.show(stage, panel, 720, 640, false);
            fx(() -> {
                panel.dataProperty().set(prompt);
                panel.selectedLayerProperty().set(1);
                return null;
            });
            WaitForAsyncUtils.waitForFxEvents();
            double[] c = fx(() -> panel.map().cellCentre(2, 3));
            robot.moveTo(PanelFixture.screen(panel.map(), c[0], c[1]));
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(String.format(Locale.ROOT, "L2 H3: mean normalized entropy %.3f; per query below", prompt.mean(2, 3)),
                    fx(() -> panel.hoverTextProperty().get()));
            assertEquals(2, (int) fx(() -> panel.strip().layer.get()));
            assertEquals(3, (int) fx(() -> panel.strip().head.get()));
            // keyboard: click head (0, 0), then the arrows select L2 H3 with the hover's readout
            double[] first = fx(() -> panel.map().cellCentre(0, 0));
            robot.clickOn(PanelFixture.screen(panel.map(), first[0], first[1]));
            robot.moveTo(new javafx.geometry.Point2D(0, 0));
            assertEquals(0, (int) fx(() -> panel.selectedLayerProperty().get()));
            robot.push(KeyCode.DOWN).push(KeyCode.DOWN).push(KeyCode.RIGHT).push(KeyCode.RIGHT).push(KeyCode.RIGHT);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(2, (int) fx(() -> panel.selectedLayerProperty().get()));
            assertEquals(3, (int) fx(() -> panel.selectedHeadProperty().get()));
            assertEquals(String.format(Locale.ROOT, "L2 H3: mean normalized entropy %.3f; per query below", prompt.mean(2, 3)),
                    fx(() -> panel.hoverTextProperty().get()));
            assertEquals(3, (int) fx(() -> panel.strip().head.get()));
            fx(() -> {
                panel.selectedLayerProperty().set(1);
                return null;
            });
            assertEquals(new GridCanvas.Cell(1, 3), fx(() -> panel.map().cursor.get()), "the cursor follows a selection made in code");
            fx(() -> {
                panel.dataProperty().set(d);
                return null;
            });
            List<XYChart.Series<Number, Number>> lines = fx(() -> List.copyOf(panel.evolution().getData()));
            assertEquals(gpt2.config().nHead(), lines.size());
            assertEquals(4, lines.get(2).getData().size());
            assertEquals(d.evolution().get(0).mean()[d.heads() + 2], lines.get(2).getData().get(0).getYValue().floatValue(), 0f);
            System.out.println("snapshot " + PanelFixture.snapshot(panel, "entropy-gpt2-light"));
            PanelFixture.show(stage, panel, 720, 640, true);
            System.out.println("snapshot " + PanelFixture.snapshot(panel, "entropy-gpt2-dark"));
        }
    }

    @Test
    void paddingQueriesAreLeftOutOfTheMeans() throws Exception {
        try (Stepper stepper = new Stepper(minilm.model(), Stepper.Options.DEFAULT)) {
            long[] a = minilm.tokenizer().encode("The cat sat.").ids();
            long[] b = minilm.tokenizer().encode("A much longer second sentence is here.").ids();
            Batch batch = Batch.pad(List.of(a, b), null, Batch.Padding.RIGHT, 0);
            stepper.reset(batch);
            stepper.runToEnd();
            EntropyData d = EntropyData.from(stepper, minilm, AttentionSource.of(minilm.model().capabilities()), 0);
            for (int l = 0; l < d.layers(); l++) {
                HeadEntropy e = HeadEntropy.of(stepper, l);
                for (int h = 0; h < d.heads(); h++) {
                    double sum = 0;
                    for (int q = 0; q < a.length; q++) { // the real tokens come first (right padding)
                        sum += e.normalized(0, h, q);
                    }
                    assertEquals(sum / a.length, d.mean(l, h), 1e-5, "L" + l + " H" + h);
                }
            }
            assertTrue(d.paddingQuery()[d.queries() - 1]);
            EntropyPanel panel = fx(EntropyPanel::new);
            PanelFixture.show(stage, panel, 720, 640, false);
            fx(() -> {
                panel.dataProperty().set(d);
                panel.selectedHeadProperty().set(5);
                return null;
            });
            PanelFixture.snapshotBothThemes(panel, "entropy-minilm-padded");
        }
    }
}
