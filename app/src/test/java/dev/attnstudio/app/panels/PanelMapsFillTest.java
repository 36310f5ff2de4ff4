package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.MapPasses;
import dev.attnstudio.app.views.AttentionSource;
import javafx.geometry.Rectangle2D;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.panels.PanelFixture.fx;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Mask and Entropy maps use the space they have: at 9, 58 and 481 tokens, in the panel sizes of the 1280x800 and
 * the 1920x1080 window, their cells cover at least 80% of their region's shorter side, and that region is most of the
 * panel. The mask zooms and shows its minimap only while zoomed.
 */
class PanelMapsFillTest {

    private static final double[][] PANELS = {{730, 430}, {1280, 700}};
    private static final double SHARE = 0.8;
    /**
     * The wheel turned away from the user, as a real mouse reports it (deltaY &gt; 0): TestFX's robot on Monocle sends
     * that for DOWN (its UP arrives as deltaY &lt; 0).
     */
    private static final javafx.geometry.VerticalDirection ZOOM_IN = javafx.geometry.VerticalDirection.DOWN;

    private static MapPasses passes;
    private static final Map<Integer, MapPasses.Pass> RUN = new HashMap<>();
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void setUp() throws Exception {
        stage = PanelFixture.stage();
        passes = new MapPasses();
        for (int n : new int[] {9, 58, 481}) {
            RUN.put(n, passes.run(n));
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        PanelFixture.close(stage);
        passes.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 58, 481})
    void theMaskFillsItsPanel(int tokens) throws Exception {
        MapPasses.Pass pass = RUN.get(tokens);
        MaskData data = MaskData.from(pass.stepper(), pass.model(), AttentionSource.SELF, 1, 0);
        for (double[] size : PANELS) {
            MaskPanel panel = fx(MaskPanel::new);
            PanelFixture.show(stage, panel, size[0], size[1], false);
            fx(() -> {
                panel.dataProperty().set(data);
                return null;
            });
            WaitForAsyncUtils.waitForFxEvents();
            MaskCanvas canvas = panel.canvas();
            Rectangle2D frame = fx(canvas::frame);
            double region = fx(() -> Math.min(canvas.getWidth(), canvas.getHeight()));
            double share = Math.min(frame.getWidth(), frame.getHeight()) / region;
            System.out.printf(Locale.ROOT, "mask %d tokens in %.0fx%.0f: cells %.0f px of a %.0f px canvas (%.0f%%), cell %.2f%n",
                    tokens, size[0], size[1], frame.getWidth(), region, 100 * share, fx(canvas::cellSize));
            assertTrue(share >= SHARE, "the mask takes " + frame + " of " + region);
            assertTrue(fx(canvas::getHeight) >= 0.75 * size[1], "the canvas is most of the panel: " + fx(canvas::getHeight));
            PanelFixture.snapshot(panel, "fill-mask-" + tokens + "-" + (int) size[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 58, 481})
    void theEntropyMapFillsItsRegion(int tokens) throws Exception {
        MapPasses.Pass pass = RUN.get(tokens);
        EntropyData data = EntropyData.from(pass.stepper(), pass.model(), AttentionSource.SELF, 0);
        for (double[] size : PANELS) {
            EntropyPanel panel = fx(EntropyPanel::new);
            PanelFixture.show(stage, panel, size[0], size[1], false);
            fx(() -> {
                panel.dataProperty().set(data);
                return null;
            });
            WaitForAsyncUtils.waitForFxEvents();
            EntropyCanvas map = panel.map();
            Rectangle2D frame = fx(map::frame);
            double share = Math.max(frame.getWidth() / fx(map::getWidth), frame.getHeight() / fx(map::getHeight));
            System.out.printf(Locale.ROOT, "entropy %d tokens in %.0fx%.0f: %d x %d cells of %.1f px, %.0f x %.0f px of a %.0f x %.0f canvas (%.0f%%)%n",
                    tokens, size[0], size[1], data.layers(), data.heads(), fx(map::cellSize), frame.getWidth(), frame.getHeight(),
                    fx(map::getWidth), fx(map::getHeight), 100 * share);
            assertTrue(share >= SHARE, "the entropy map takes " + frame + " of " + fx(map::getWidth) + " x " + fx(map::getHeight));
            assertTrue(fx(map::getHeight) >= 0.6 * size[1], "the map's region is the panel's main part: " + fx(map::getHeight));
            PanelFixture.snapshot(panel, "fill-entropy-" + tokens + "-" + (int) size[0]);
        }
    }

    @Test
    void theMaskZoomsAndShowsItsMinimapOnlyWhenZoomed() throws Exception {
        MapPasses.Pass pass = RUN.get(58);
        MaskData data = MaskData.from(pass.stepper(), pass.model(), AttentionSource.SELF, 0, 0);
        MaskPanel panel = fx(MaskPanel::new);
        PanelFixture.show(stage, panel, PANELS[0][0], PANELS[0][1], false);
        fx(() -> {
            panel.dataProperty().set(data);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        MaskCanvas canvas = panel.canvas();
        assertFalse(fx(canvas::minimapShown));
        double[] c = fx(() -> canvas.cellCentre(30, 12));
        robot.moveTo(PanelFixture.screen(canvas, c[0], c[1]));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(() -> canvas.hovered.get()) != null);
        GridCanvas.Cell under = fx(() -> canvas.hovered.get());
        robot.scroll(3, ZOOM_IN);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(() -> canvas.viewport.zoomed()));
        assertTrue(fx(canvas::minimapShown), "zoomed: the minimap shows");
        assertTrue(fx(canvas::cellSize) > 1.5 * fx(() -> canvas.frame().getWidth()) / 58, "cells grew");
        double[] again = fx(() -> canvas.cellCentre(under.row(), under.col()));
        assertTrue(Math.abs(again[0] - c[0]) < fx(canvas::cellSize) && Math.abs(again[1] - c[1]) < fx(canvas::cellSize),
                "the cell under the pointer stays under it");
        PanelFixture.snapshot(panel, "zoom-mask-58");
        robot.interact(canvas::requestFocus);
        robot.type(KeyCode.DIGIT0);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !fx(() -> canvas.viewport.zoomed()));
        assertFalse(fx(canvas::minimapShown), "fitted: no minimap");
    }
}
