package dev.attnstudio.app.lint;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.attention.HeadDetailView;
import dev.attnstudio.app.attention.MapCell;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.engine.diagnose.lint.FindingKind;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;
import dev.attnstudio.engine.intervene.MaskBug;
import javafx.scene.control.TabPane;
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
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Lint view in the window: a mask bug injected from the Interventions menu shows up as a finding of its kind, and
 * the finding's button selects its layer and head and puts the Head view's cell cursor on its query and key.
 */
class LintWindowTest {

    private static AppHarness app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        app = AppHarness.start();
        awaitIdle(vm());
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    @Test
    void aFlippedMaskIsFoundAndItsCellIsShownInTheHeadView() throws Exception {
        robot.interact(() -> vm().interventions().set(MaskBug.FLIPPED, true));
        awaitIdle(vm());
        robot.interact(() -> vm().stepping().runToEnd());
        awaitIdle(vm());
        robot.interact(() -> menuItem(LintTab.SPEC.menuItemId()).fire());
        LintPanel panel = robot.lookup("#lintPanel").queryAs(LintPanel.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> panel.data.get() != null));
        List<MaskFinding> findings = fx(() -> panel.data.get().findings());
        MaskFinding leak = findings.stream().filter(f -> f.kind() == FindingKind.FUTURE_KEY_MASS).findFirst()
                .orElseThrow(() -> new AssertionError("no future-key-mass finding: " + findings));
        robot.interact(() -> panel.selected.set(leak));
        assertEquals(leak.layer(), (int) fx(() -> vm().selection().layerProperty().get()));
        assertEquals(leak.head(), (int) fx(() -> vm().selection().headProperty().get()));
        robot.clickOn("#lintToHead");
        awaitIdle(vm());
        HeadDetailView head = robot.lookup("#headDetail").queryAs(HeadDetailView.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> MapCell.single(leak.query(), leak.key())
                .equals(head.map().cellCursorProperty().get())));
        TabPane tabs = robot.lookup(".tab-pane").queryAs(TabPane.class);
        assertEquals("headTab", fx(() -> tabs.getSelectionModel().getSelectedItem().getId()));
        robot.interact(() -> vm().interventions().set(MaskBug.FLIPPED, false));
        awaitIdle(vm());
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

}
