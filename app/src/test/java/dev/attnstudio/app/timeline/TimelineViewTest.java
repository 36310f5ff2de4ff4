package dev.attnstudio.app.timeline;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.diff.HeadScoreGrid;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import java.util.Comparator;
import javafx.scene.control.Label;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.menuItem;
import static org.junit.jupiter.api.Assertions.*;

/** The Timeline view on induction-2l: the scrubber replays the induction head forming (low at step 0, high at the end). */
class TimelineViewTest {

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
    void theScrubberReplaysTheInductionHeadForming() throws Exception {
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
        robot.interact(() -> app.view().select("timeline"));
        TimelinePanel panel = fx(() -> robot.lookup("#timelinePanel").queryAs(TimelinePanel.class));
        List<Integer> steps = fx(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return panel.steps();
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> !panel.steps().isEmpty()));
        steps = fx(panel::steps);
        assertEquals(21, steps.size(), "induction-2l ships 21 checkpoints");
        int last = steps.get(steps.size() - 1);
        long start = System.nanoTime();
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> panel.pointProperty().get() != null
                && panel.pointProperty().get().step() == last));
        System.out.printf("replaying step %d took %d ms%n", last, (System.nanoTime() - start) / 1_000_000);
        TimelinePoint trained = fx(() -> panel.pointProperty().get());
        HeadCard strongest = trained.card().heads().stream().max(Comparator.comparingDouble(HeadCard::induction))
                .orElseThrow();
        assertEquals(1, strongest.layer(), "the induction head sits in the second layer: " + strongest);
        assertTrue(strongest.induction() > 0.4, "trained: high induction score " + strongest.induction());
        assertEquals(new HeadScoreGrid.Cell(1, strongest.head()), fx(() -> panel.grid().selectedProperty().get()),
                "the strongest head is selected");

        fx(() -> {
            panel.scrubTo(0);
            return null;
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> panel.pointProperty().get() != null
                && panel.pointProperty().get().step() == 0));
        TimelinePoint initial = fx(() -> panel.pointProperty().get());
        double before = initial.card().head(1, strongest.head()).induction();
        assertTrue(before < 0.3 && before * 5 < strongest.induction(), "at step 0 the same head does not yet do induction: " + before);
        assertEquals("step 0", fx(() -> robot.lookup("#timelineStep").queryAs(Label.class).getText()));
        assertTrue(fx(() -> robot.lookup("#timelineHeadText").queryAs(Label.class).getText()).startsWith("Step 0"));
        System.out.printf("induction score of L1 H%d: step 0 %.3f, step %d %.3f%n", strongest.head(), before, last,
                strongest.induction());

        fx(() -> {
            panel.scrubTo(last); // cached: shown at once
            return null;
        });
        assertEquals(last, fx(() -> panel.pointProperty().get().step()));
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

}
