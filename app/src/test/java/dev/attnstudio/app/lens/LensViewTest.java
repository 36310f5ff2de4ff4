package dev.attnstudio.app.lens;

import dev.attnstudio.app.panels.PanelFixture;
import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.engine.diagnose.lens.LogitLens;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Logit lens view shows the engine's top tokens and KL; an encoder says in one line why it has none. */
class LensViewTest {

    private static LoadedModel gpt;
    private static LoadedModel minilm;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void open() throws Exception {
        gpt = PanelFixture.open("tiny-gpt");
        minilm = PanelFixture.open("all-minilm-l6-v2");
        stage = PanelFixture.stage();
    }

    @AfterAll
    static void close() throws Exception {
        PanelFixture.close(stage, gpt, minilm);
    }

    @Test
    void stoppingTheLensStopsItBetweenLayersAndTheViewWaitsForComputeAgain() throws Exception {
        Batch prompt = Batch.of(gpt.tokenizer().encode("Attention is all you need").ids());
        LongWork work = new LongWork();
        List<String> phases = new ArrayList<>();
        assertThrows(CancellationException.class, () -> work.run("logit lens", w -> LensData.compute(gpt, prompt, 0,
                Interventions.NONE, (phase, done, total) -> {
                    phases.add(phase + " " + done + "/" + total);
                    if (phase.startsWith("reading") && done == 1) {
                        work.stop(); // as the view's Stop button does
                    }
                    w.step(phase, done, total);
                })));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("reading each layer through the lens 1/" + gpt.config().nLayer(), phases.get(phases.size() - 1),
                "stopped before the second layer was read: " + phases);
        assertTrue(work.isStopped());
        assertTrue(PanelFixture.fx(() -> work.stoppedProperty().get() && !work.runningProperty().get()));
    }

    @Test
    void cellsHoldTheEnginesTopTokensAndAnEncoderSaysWhyThereIsNoLens() throws Exception {
        Batch prompt = Batch.of(gpt.tokenizer().encode("And God said").ids());
        LensData d = LensData.compute(gpt, prompt, 0, Interventions.NONE);
        List<LogitLens.Stage> engine;
        try (Stepper s = new Stepper(gpt.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
            s.reset(prompt);
            s.runToEnd();
            engine = LogitLens.of(gpt.model(), s, 0, 5, gpt.tokenizer()::decode);
        }
        assertEquals(engine.size(), d.stages().size());
        for (int st = 0; st < engine.size(); st++) {
            for (int p = 0; p < d.positions().size(); p++) {
                assertEquals(engine.get(st).topIds()[p][0], d.stages().get(st).topIds()[p][0]);
                assertEquals(engine.get(st).topProbs()[p][0], d.topProb(st, p), 0f);
            }
            assertEquals(engine.get(st).meanKl(), d.stages().get(st).meanKl(), 0.0);
        }
        assertEquals(0.0, d.stages().get(d.stages().size() - 1).meanKl(), 1e-4, "the last stage is the model's output");

        LensPanel panel = PanelFixture.fx(LensPanel::new);
        PanelFixture.fx(() -> {
            panel.data.set(d);
            return null;
        });
        PanelFixture.show(stage, panel, 1100, 650, false);
        double[] at = PanelFixture.fx(() -> panel.grid().cellCentre(1, 2));
        robot.clickOn(PanelFixture.screen(panel.grid(), at[0], at[1]));
        WaitForAsyncUtils.waitForFxEvents();
        assertNotNull(panel.grid().cursor.get());
        String detail = PanelFixture.fx(() -> panel.detail().getText());
        assertTrue(detail.startsWith(d.stageLabel(1) + " (") && detail.contains("'" + d.topText(1, 2) + "'"), detail);
        PanelFixture.snapshotBothThemes(panel, "lens-tiny-gpt");

        LensData none = LensData.compute(minilm, Batch.of(minilm.tokenizer().encode("The cat sat.").ids()), 0, Interventions.NONE);
        assertTrue(none.reason().startsWith("The logit lens needs an unembedding"), none.reason());
        PanelFixture.fx(() -> {
            panel.data.set(none);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#lensPlaceholder").queryLabeled().getText().contains("encoder has none"));
    }
}
