package dev.attnstudio.app.diff;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.engine.diagnose.diff.CheckpointDiff;
import dev.attnstudio.samples.SampleModels;
import javafx.scene.control.Label;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.menuItem;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The Diff view on induction-2l against its first training checkpoint: the grid has every head, the induction head
 * changed, a click shows both maps; a folder of another architecture is refused with the engine's message.
 */
class DiffViewTest {

    private static AppHarness app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        app = AppHarness.start();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().isReady() && !vm().status().isBusy()));
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    @Test
    void comparesWithAStepHeadByHeadAndRefusesAnotherArchitecture() throws Exception {
        fx(() -> {
            menuItem("sample-induction-2l").fire();
            return null;
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                && vm().session().modelInfoProperty().get().name().equals("induction-2l")));
        awaitIdle(vm());
        fx(() -> {
            vm().stepping().runToEnd();
            return null;
        });
        awaitIdle(vm());
        robot.interact(() -> app.view().select("diff"));
        DiffPanel panel = fx(() -> robot.lookup("#diffPanel").queryAs(DiffPanel.class));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> panel.inputProperty().get() != null));
        assertEquals(21, fx(() -> panel.inputProperty().get().steps().size()), "induction-2l ships 21 checkpoints");
        long start = System.nanoTime();
        fx(() -> {
            panel.selectStep(0);
            panel.compareSelected();
            return null;
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> panel.resultProperty().get() != null));
        System.out.printf("diff against step 0 took %d ms%n", (System.nanoTime() - start) / 1_000_000);
        DiffResult r = fx(() -> panel.resultProperty().get());
        int layers = r.rows().size();
        int heads = r.patternsA()[0].length;
        assertEquals(layers * heads, r.diff().heads().size());
        CheckpointDiff.HeadDiff most = r.diff().heads().stream().max(java.util.Comparator.comparingDouble(
                CheckpointDiff.HeadDiff::js)).orElseThrow();
        assertTrue(most.js() > 0.05, "training changed some head: " + most);
        assertTrue(r.diff().heads().stream().anyMatch(h -> h.inductionA() - h.inductionB() > 0.3),
                "some head gained its induction score during training (A = trained, B = step 0)");
        fx(() -> {
            robot.lookup("#headCell-1-0").queryAs(Label.class).getOnMouseClicked().handle(null);
            return null;
        });
        assertEquals(new HeadScoreGrid.Cell(1, 0), fx(() -> panel.grid().selectedProperty().get()));
        assertTrue(fx(() -> robot.lookup("#diffMapA").queryAs(dev.attnstudio.app.attention.AttentionMapView.class)
                .getMatrix() != null && robot.lookup("#diffMapB").queryAs(dev.attnstudio.app.attention.AttentionMapView.class)
                .getMatrix() != null));
        assertTrue(fx(() -> robot.lookup("#diffHeadText").queryAs(Label.class).getText()).startsWith("L1 H0: JS"));

        Path other = Files.createTempDirectory("diff-other");
        SampleModels.extract((SampleModels.BundledFolder) SampleModels.find("reverse-t5").orElseThrow().source(), other);
        fx(() -> {
            panel.compareWithFolder(other);
            return null;
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> robot.lookup("#diffStatus").queryAs(Label.class)
                .getText().startsWith("Cannot compare")));
        String refused = fx(() -> robot.lookup("#diffStatus").queryAs(Label.class).getText());
        System.out.println(refused);
        assertTrue(refused.contains("architecture") || refused.contains("differ"), refused);
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

}
