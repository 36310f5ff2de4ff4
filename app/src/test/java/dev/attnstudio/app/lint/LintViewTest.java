package dev.attnstudio.app.lint;

import dev.attnstudio.app.panels.PanelFixture;
import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.engine.diagnose.lint.FindingKind;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Lint view with a mask bug on (a finding of the bug's kind, a jump to its cell) and off (a plain "no finding"). */
class LintViewTest {

    private static LoadedModel gpt;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void open() throws Exception {
        gpt = PanelFixture.open("random-gpt2-tiny");
        stage = PanelFixture.stage();
    }

    @AfterAll
    static void close() throws Exception {
        PanelFixture.close(stage, gpt);
    }

    @Test
    void stoppingTheLinterStopsItBetweenLayersAndTheViewWaitsForComputeAgain() throws Exception {
        Batch prompt = Batch.of(gpt.tokenizer().encode("Attention is all you need").ids());
        LongWork work = new LongWork();
        List<String> phases = new ArrayList<>();
        assertThrows(CancellationException.class, () -> work.run("mask lint", w -> LintData.compute(gpt, prompt,
                Interventions.NONE, (phase, done, total) -> {
                    phases.add(phase + " " + done + "/" + total);
                    if (phase.startsWith("checking") && done == 1) {
                        work.stop(); // as the view's Stop button does
                    }
                    w.step(phase, done, total);
                })));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(phases.size() >= 3 && phases.get(phases.size() - 1).startsWith("checking each layer's attention 1/"),
                "stopped before the second layer was checked: " + phases);
        assertTrue(work.isStopped());
        assertTrue(PanelFixture.fx(() -> work.stoppedProperty().get() && !work.runningProperty().get()));
    }

    @Test
    void aFlippedMaskIsListedAsFutureKeyMassAndSelectingItGoesToItsCellWhileTheCleanRunSaysNoFinding() throws Exception {
        Batch prompt = Batch.of(gpt.tokenizer().encode("Attention is all you need").ids());
        LintData clean = LintData.compute(gpt, prompt, Interventions.NONE);
        LintData bugged = LintData.compute(gpt, prompt, Interventions.NONE.with(MaskBug.FLIPPED));
        assertEquals(0, clean.findings().size(), clean.findings().toString());
        assertTrue(bugged.findings().stream().anyMatch(f -> f.kind() == FindingKind.FUTURE_KEY_MASS), bugged.findings().toString());
        assertEquals(java.util.List.of("mask-bug:flipped"), bugged.interventions().stream()
                .map(s -> s.startsWith("mask-bug") ? "mask-bug:flipped" : s).toList());

        LintPanel panel = PanelFixture.fx(LintPanel::new);
        PanelFixture.fx(() -> {
            panel.data.set(clean);
            return null;
        });
        PanelFixture.show(stage, panel, 900, 560, false);
        String none = PanelFixture.fx(() -> panel.summary().getText());
        assertTrue(none.startsWith("No finding: the linter found nothing wrong with the model as it is"), none);
        assertEquals(0, (int) PanelFixture.fx(() -> panel.list().getChildren().size()));

        AtomicReference<String> shown = new AtomicReference<>();
        AtomicReference<MaskFinding> with = new AtomicReference<>();
        PanelFixture.fx(() -> {
            panel.setOnShow((f, view) -> {
                with.set(f);
                shown.set(view);
            });
            panel.data.set(bugged);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        FindingRow first = (FindingRow) PanelFixture.fx(() -> panel.list().getChildren().get(0));
        robot.clickOn(first);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(bugged.findings().get(0), panel.selected.get());
        PanelFixture.snapshotBothThemes(panel, "lint-flipped");
        MaskFinding f = bugged.findings().stream().filter(x -> x.layer() >= 0).findFirst().orElseThrow();
        PanelFixture.fx(() -> {
            panel.selected.set(f);
            return null;
        });
        robot.clickOn("#lintToMask");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(LintPanel.MASK_VIEW, shown.get());
        assertEquals(f, with.get());
    }
}
