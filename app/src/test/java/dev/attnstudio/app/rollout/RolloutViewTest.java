package dev.attnstudio.app.rollout;

import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.panels.PanelFixture;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.engine.diagnose.rollout.AttentionFlow;
import dev.attnstudio.engine.diagnose.rollout.AttentionRollout;
import dev.attnstudio.engine.diagnose.rollout.LayerPatterns;
import dev.attnstudio.engine.diagnose.rollout.Rollout;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import javafx.scene.Node;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Rollout view shows the engine's matrices: the whole model's, the normalised variant and flow, with the caveat. */
class RolloutViewTest {

    private static LoadedModel gpt;
    private static LoadedModel bert;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void open() throws Exception {
        gpt = PanelFixture.open("random-gpt2-tiny");
        bert = PanelFixture.open("all-minilm-l6-v2");
        stage = PanelFixture.stage();
    }

    @AfterAll
    static void close() throws Exception {
        PanelFixture.close(stage, gpt, bert);
    }

    @Test
    void theShownMatrixIsTheEnginesRolloutAndTheDecoderCaveatIsVisible() throws Exception {
        Batch prompt = Batch.of(gpt.tokenizer().encode("Attention is all").ids());
        RolloutData.Computed c = RolloutData.compute(gpt, prompt, 0, Interventions.NONE);
        Rollout engine;
        LayerPatterns p;
        try (Stepper s = new Stepper(gpt.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
            s.reset(prompt);
            s.runToEnd();
            p = LayerPatterns.of(gpt.model().capabilities(), s, 0);
            engine = AttentionRollout.of(p, gpt.model().manager(), true);
        }
        RolloutData model = RolloutData.of(c, RolloutMode.MODEL, 0, 0, () -> null);
        int n = engine.tokens();
        assertEquals(n, model.n());
        assertArrayEquals(engine.perLayer()[engine.perLayer().length - 1], model.values(), 0f);
        assertArrayEquals(engine.fieldNormalized(), RolloutData.of(c, RolloutMode.FIELD_NORMALISED, 0, 0, () -> null).values(), 0f);
        assertArrayEquals(engine.perHead()[1][2], RolloutData.of(c, RolloutMode.HEAD, 1, 2, () -> null).values(), 0f);
        long start = System.nanoTime();
        float[] flow = RolloutData.flow(c.patterns());
        System.out.printf("flow of %d tokens: %d ms%n", n, (System.nanoTime() - start) / 1_000_000);
        double[] last = AttentionFlow.of(p, n - 1).normalized();
        for (int j = 0; j < n; j++) {
            assertEquals(last[j], flow[(n - 1) * n + j], 1e-6);
        }
        assertTrue(model.caveat() != null && model.causal());

        RolloutData.Computed longer = RolloutData.compute(gpt, Batch.of(gpt.tokenizer().encode("Attention is all you need, they said").ids()),
                0, Interventions.NONE);
        int m = longer.labels().size();
        assertTrue(m > RolloutData.FULL_FLOW_TOKENS, m + " tokens");
        float[] one = RolloutData.flow(longer.patterns());
        RolloutData partial = RolloutData.of(longer, RolloutMode.FLOW, 0, 0, () -> one);
        assertEquals(1, partial.rows(), "beyond " + RolloutData.FULL_FLOW_TOKENS + " tokens: the last output's flow");
        assertTrue(partial.note().startsWith("Flow of output " + (m - 1) + " only"), partial.note());
        assertEquals(n, RolloutData.of(c, RolloutMode.FLOW, 0, 0, () -> flow).rows(), n + " tokens: flow of every output");

        RolloutPanel panel = PanelFixture.fx(() -> new RolloutPanel(new AttentionSettings()));
        PanelFixture.fx(() -> {
            panel.data.set(model);
            return null;
        });
        PanelFixture.show(stage, panel, 1000, 700, false);
        AttentionMatrix shown = PanelFixture.fx(() -> panel.map().getMatrix());
        assertArrayEquals(model.values(), shown.values(), 0f, "the map draws the engine's numbers");
        assertEquals(c.labels(), shown.rowLabels());
        Node caveat = robot.lookup("#rolloutCaveat").query();
        assertTrue(caveat.isVisible(), "a decoder shows the caveat");
        PanelFixture.snapshotBothThemes(panel, "rollout-gpt2");
        robot.clickOn("#rolloutFieldnormalised");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(RolloutMode.FIELD_NORMALISED, panel.modeNow);

        RolloutData.Computed enc = RolloutData.compute(bert, Batch.of(bert.tokenizer().encode("The cat sat.").ids()), 0,
                Interventions.NONE);
        RolloutData encoder = RolloutData.of(enc, RolloutMode.MODEL, 0, 0, () -> null);
        assertNull(encoder.caveat(), "no caveat for an encoder");
        RolloutData none = RolloutData.of(enc, RolloutMode.FIELD_NORMALISED, 0, 0, () -> null);
        assertEquals(0, none.n());
        assertTrue(none.note().contains("bidirectional"), none.note());
        PanelFixture.fx(() -> {
            panel.data.set(encoder);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(!caveat.isVisible(), "an encoder shows no caveat");

        try (LoadedModel t5 = PanelFixture.open("reverse-t5")) {
            long[] ids = t5.tokenizer().encode("attention").ids();
            RolloutData.Computed enc2 = RolloutData.compute(t5, Batch.of(ids), 0, Interventions.NONE);
            RolloutData r = RolloutData.of(enc2, RolloutMode.MODEL, 0, 0, () -> null);
            assertEquals(ids.length, r.n(), "an encoder-decoder's encoder is rolled out (its decoder has one token)");
            assertTrue(r.title().startsWith("encoder rollout of 2 layers"), r.title());
            assertNull(r.caveat());
        }
    }
}
