package dev.attnstudio.app.main;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.attention.AttentionGridView;
import dev.attnstudio.app.attention.HeadDetailView;
import dev.attnstudio.app.attention.StageStripView;
import dev.attnstudio.app.heatmap.PatchNote;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskBug;
import javafx.geometry.Point2D;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.input.ContextMenuEvent;
import javafx.scene.input.KeyCode;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interventions in the real window: a head ablated from the attention grid's context menu, scaling turned off and a
 * mask bug injected from the Interventions menu; the toolbar counts them, the steps list marks every patched step,
 * the current step and the Head, Stages and Mask views say what was patched, and clearing them restores the pass.
 */
class InterventionsWindowTest {

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
    void ablateFromTheGridToggleFromTheMenuAndSeeWhatWasPatched() throws Exception {
        MenuButton button = robot.lookup("#interventionsButton").queryAs(MenuButton.class);
        assertEquals("Interventions", fx(button::getText));

        // right-click head 1 of layer 0 in the attention grid: the context menu ablates it
        robot.push(KeyCode.ALT, KeyCode.DIGIT1);
        robot.push(KeyCode.F5);
        awaitIdle(vm());
        AttentionGridView grid = robot.lookup("#attentionGrid").queryAs(AttentionGridView.class);
        Point2D cell = fx(() -> findThumbnail(grid, 0, 1));
        robot.interact(() -> grid.fireEvent(new ContextMenuEvent(ContextMenuEvent.CONTEXT_MENU_REQUESTED, cell.getX(),
                cell.getY(), 0, 0, false, null)));
        MenuItem ablate = fx(() -> contextItem("ablateHeadItem"));
        assertEquals("Ablate layer 0 head 1 (zero)", fx(ablate::getText));
        robot.interact(ablate::fire);
        awaitIdle(vm());
        assertEquals(List.of("ablate:0.1"), fx(() -> vm().interventions().get().specs()));
        assertEquals("Interventions (1)", fx(button::getText));
        assertEquals(List.of(0, 1), fx(() -> List.copyOf(grid.markedHeadsProperty().get().keySet()).get(0)));
        assertEquals(1, fx(() -> vm().selection().headProperty().get()), "the right-clicked head is selected");

        // scaling off and the off-by-one bug from the Interventions menu
        fireMenuItem("noScalingItem");
        awaitIdle(vm());
        fireMenuItem("bug-off-by-one");
        awaitIdle(vm());
        assertEquals(List.of("ablate:0.1", "no-scaling", "mask-bug:off-by-one"), fx(() -> vm().interventions().get().specs()));
        assertTrue(fx(() -> ((CheckMenuItem) menuItem("noScalingItem")).isSelected()));
        assertTrue(fx(() -> ((CheckMenuItem) menuItem("bug-off-by-oneTool")).isSelected()), "the toolbar's twin follows");
        assertEquals("Interventions (3)", fx(button::getText));

        // the pass started over under them: run to the end, then every patched step is marked in the list
        robot.interact(() -> vm().stepping().runToEnd()); // Run > Run to end (Ctrl+Enter)
        awaitIdle(vm());
        List<String> patched = fx(() -> vm().stepping().steps().stream().filter(StepRow::patched).map(StepRow::name).toList());
        assertTrue(patched.containsAll(List.of("blocks.0.attn.hook_attn_scores_unmasked", "blocks.0.attn.hook_mask",
                "blocks.0.attn.hook_pattern", "blocks.0.attn.hook_z", "blocks.3.attn.hook_mask")), patched.toString());
        assertFalse(patched.contains("blocks.1.attn.hook_z"), "only layer 0's z is ablated");
        StepRow z = fx(() -> vm().stepping().steps().stream().filter(r -> r.name().equals("blocks.0.attn.hook_z"))
                .findFirst().orElseThrow());
        assertEquals(List.of("ablate L0.H1 (zero)"), z.patches());

        // the views of layer 0 say what was replaced
        robot.push(KeyCode.ALT, KeyCode.DIGIT2);
        awaitIdle(vm());
        vm().selection().layerProperty().set(0);
        HeadDetailView head = robot.lookup("#headDetail").queryAs(HeadDetailView.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> note("#headDetailPatches").isVisible()));
        String note = fx(() -> note("#headDetailPatches").getText());
        assertTrue(note.contains("hook_mask: mask bug: causal mask off by one") && note.contains("hook_z: ablate L0.H1"),
                note);
        assertTrue(fx(() -> head.getData().patches().contains("hook_attn_scores_unmasked: "
                + vm().interventions().get().applied().get(1).label())));
        robot.push(KeyCode.ALT, KeyCode.DIGIT4);
        awaitIdle(vm());
        StageStripView stages = robot.lookup("#stageStrip").queryAs(StageStripView.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> stages.getData() != null
                && note("#stageStripPatches").isVisible()));
        assertEquals("2. scaled (scaling off, = raw)", fx(() -> stages.maps().get(1).titleProperty().get()));
        robot.push(KeyCode.ALT, KeyCode.DIGIT5);
        awaitIdle(vm());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> note("#maskPatches").isVisible()));

        // the bug's symptom is on screen in numbers: the first query may see nothing
        assertTrue(fx(() -> Float.isNaN(head.getData().pattern().get(0, 0))),
                "off by one: the first row is fully masked, NaN as in real code");

        // clearing restores the model as it is
        fireMenuItem("clearInterventionsItem");
        awaitIdle(vm());
        assertEquals(Interventions.NONE, fx(() -> vm().interventions().get()));
        assertEquals("Interventions", fx(button::getText));
        robot.interact(() -> vm().stepping().runToEnd());
        awaitIdle(vm());
        assertTrue(fx(() -> vm().stepping().steps().stream().noneMatch(StepRow::patched)));
        assertFalse(fx(() -> note("#maskPatches").isVisible()));
        assertTrue(fx(() -> grid.markedHeadsProperty().get().isEmpty()));
        assertFalse(MaskBug.OFF_BY_ONE.countsPaddingInLoss());
    }

    /** The centre of a layer's head thumbnail, in the grid's coordinates. */
    private static Point2D findThumbnail(AttentionGridView grid, int layer, int head) {
        for (double y = 0; y < grid.getHeight(); y += 2) {
            for (double x = 0; x < grid.getWidth(); x += 2) {
                int[] at = grid.headAt(x, y);
                if (at != null && at[0] == layer && at[1] == head) {
                    return grid.localToScene(x + 3, y + 3); // a fired event takes scene coordinates
                }
            }
        }
        throw new AssertionError("no thumbnail for layer " + layer + " head " + head);
    }

    private static MenuItem contextItem(String id) {
        return Window.getWindows().stream().filter(w -> w instanceof ContextMenu && w.isShowing())
                .flatMap(w -> ((ContextMenu) w).getItems().stream()).filter(i -> id.equals(i.getId())).findFirst()
                .orElseThrow(() -> new AssertionError("no context menu item " + id));
    }

    private PatchNote note(String id) {
        return robot.lookup(id).queryAs(PatchNote.class);
    }

    /** A menu bar item, or one of the Interventions toolbar button's. */
    private MenuItem menuItem(String id) {
        MenuBar bar = robot.lookup("#menuBar").queryAs(MenuBar.class);
        MenuButton button = robot.lookup("#interventionsButton").queryAs(MenuButton.class);
        return Stream.concat(bar.getMenus().stream().flatMap(m -> items(m.getItems())), items(button.getItems()))
                .filter(i -> id.equals(i.getId())).findFirst().orElseThrow(() -> new AssertionError("no menu item " + id));
    }

    private void fireMenuItem(String id) throws Exception {
        MenuItem item = fx(() -> menuItem(id));
        robot.interact(() -> {
            if (item instanceof CheckMenuItem check) {
                check.setSelected(!check.isSelected()); // as a click does before the action runs
            }
            item.fire();
        });
    }

    private static Stream<MenuItem> items(List<MenuItem> items) {
        return items.stream().flatMap(i -> i instanceof Menu m ? items(m.getItems()) : Stream.of(i));
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }
}
