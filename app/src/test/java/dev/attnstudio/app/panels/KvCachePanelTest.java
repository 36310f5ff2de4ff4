package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import javafx.scene.chart.XYChart;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;

import static dev.attnstudio.app.panels.PanelFixture.fx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KV-cache panel after real generation: GPT-2 (one KV head per head) and tiny-llama (grouped-query). */
class KvCachePanelTest {

    private static final int GENERATED = 5;
    private static LoadedModel gpt2;
    private static LoadedModel llama;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void open() throws Exception {
        gpt2 = PanelFixture.open("random-gpt2-tiny");
        llama = PanelFixture.open("tiny-llama");
        stage = PanelFixture.stage();
    }

    @AfterAll
    static void close() throws Exception {
        PanelFixture.close(stage, gpt2, llama);
    }

    private static Stepper generate(LoadedModel model, String prompt) {
        Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT);
        stepper.reset(model.tokenizer().encode(prompt).ids());
        stepper.runToEnd();
        for (int i = 0; i < GENERATED; i++) {
            stepper.generate(new Sampler(SamplingConfig.GREEDY));
            stepper.runToEnd();
        }
        return stepper;
    }

    @Test
    void bytesPerPassAndTheGrowingKeyMatrixMatchTheEngine() throws Exception {
        KvCachePanel panel = fx(KvCachePanel::new);
        try (Stepper stepper = generate(gpt2, "In the beginning")) {
            int layer = 2;
            int kvHead = 1;
            KvCacheData d = KvCacheData.from(stepper, gpt2, layer, kvHead);
            List<Stepper.Group> groups = stepper.groups();
            assertEquals(GENERATED + 1, d.passes().size());
            for (int g = 0; g < groups.size(); g++) {
                assertArrayEquals(groups.get(g).cacheBytes(), d.passes().get(g).cacheBytes(), "pass " + g);
                assertEquals(groups.get(g).kind(), d.passes().get(g).kind());
            }
            Stepper.Group last = groups.get(groups.size() - 1);
            assertEquals(PassKind.DECODE, last.kind());
            assertEquals(last.past() + 1, d.positions(), "the matrix has past + 1 columns");
            assertEquals(stepper.cache().length(), d.positions());
            assertArrayEquals(new int[] {kvHead}, d.sharedQueryHeads());

            // the cached keys before the last pass, as the engine reports them, then the last pass's own key
            TensorData past = last.trace().read("blocks.2.attn.hook_past_k", "0, :, 1");
            TensorData own = last.trace().read("blocks.2.attn.hook_k", "0, 0, 1");
            for (int i = 0; i < d.dHead(); i++) {
                for (int p = 0; p < last.past(); p++) {
                    assertEquals(past.get(p, i), d.key(i, p), 0f);
                }
                assertEquals(own.get(i), d.key(i, last.past()), 0f);
            }

            PanelFixture.show(stage, panel, 760, 720, false);
            fx(() -> {
                panel.dataProperty().set(d);
                return null;
            });
            WaitForAsyncUtils.waitForFxEvents();
            List<XYChart.Series<String, Number>> series = fx(() -> List.copyOf(panel.bytesChart().getData()));
            assertEquals(gpt2.config().nLayer(), series.size());
            for (int l = 0; l < series.size(); l++) {
                for (int g = 0; g < groups.size(); g++) {
                    XYChart.Data<String, Number> item = series.get(l).getData().get(g);
                    assertEquals(d.passes().get(g).label(), item.getXValue());
                    assertEquals(groups.get(g).cacheBytes()[l] / 1024.0, item.getYValue().doubleValue(), 1e-9);
                }
            }
            List<XYChart.Series<String, Number>> time = fx(() -> List.copyOf(panel.timeChart().getData()));
            assertEquals(groups.get(0).computeMillis(), time.get(PassKind.PREFILL.ordinal()).getData().get(0).getYValue().doubleValue(), 1e-9);
            assertEquals(groups.get(3).computeMillis(), time.get(PassKind.DECODE.ordinal()).getData().get(3).getYValue().doubleValue(), 1e-9);

            KvMatrixCanvas matrix = panel.matrix();
            assertEquals(d.positions(), (int) fx(matrix::columns));
            double[] c = fx(() -> matrix.cellCentre(3, d.positions() - 1));
            robot.moveTo(PanelFixture.screen(matrix, c[0], c[1]));
            WaitForAsyncUtils.waitForFxEvents();
            String text = fx(() -> panel.hoverTextProperty().get());
            assertTrue(text.startsWith("K[layer 2, kv head 1] position " + last.past()) && text.contains("dim 3 = "
                    + String.format(java.util.Locale.ROOT, "%.4g", d.key(3, last.past()))), text);
            // keyboard: click the first entry, then Down x3 and End reach the same entry and the same readout
            double[] first = fx(() -> matrix.cellCentre(0, 0));
            robot.clickOn(PanelFixture.screen(matrix, first[0], first[1]));
            robot.moveTo(new javafx.geometry.Point2D(0, 0));
            robot.push(KeyCode.DOWN).push(KeyCode.DOWN).push(KeyCode.DOWN).push(KeyCode.END);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(new GridCanvas.Cell(3, d.positions() - 1), fx(() -> matrix.cursor.get()));
            assertEquals(text, fx(() -> panel.hoverTextProperty().get()));
            System.out.println("snapshot " + PanelFixture.snapshot(panel, "kv-cache-gpt2-light"));
            PanelFixture.show(stage, panel, 760, 720, true);
            System.out.println("snapshot " + PanelFixture.snapshot(panel, "kv-cache-gpt2-dark"));
        }
    }

    @Test
    void groupedQueryAttentionShowsWhichQueryHeadsShareTheKvHead() throws Exception {
        try (Stepper stepper = generate(llama, "And God said")) {
            KvCacheData d = KvCacheData.from(stepper, llama, 1, 1);
            assertEquals(4, d.heads());
            assertEquals(2, d.kvHeads());
            assertArrayEquals(new int[] {2, 3}, d.sharedQueryHeads());
            assertEquals("blocks.1.attn.hook_rot_k", d.keyHook(), "the cache holds rotated keys");
            Stepper.Group last = stepper.groups().get(stepper.groups().size() - 1);
            assertEquals(last.past() + 1, d.positions());
            TensorData past = last.trace().read("blocks.1.attn.hook_past_v", "0, :, 1");
            for (int p = 0; p < last.past(); p++) {
                assertEquals(past.get(p, 5), d.value(5, p), 0f);
            }
            KvCachePanel panel = fx(KvCachePanel::new);
            PanelFixture.show(stage, panel, 760, 720, false);
            fx(() -> {
                panel.dataProperty().set(d);
                panel.showValuesProperty().set(true);
                return null;
            });
            PanelFixture.snapshotBothThemes(panel, "kv-cache-llama-values");
        }
    }
}
