package dev.attnstudio.app.attention;

import dev.attnstudio.app.MapPasses;
import dev.attnstudio.app.theme.Theme;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Point2D;
import javafx.geometry.Rectangle2D;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.Region;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attention maps use the space they have: at 9, 58 and 481 tokens, in the panel sizes of the 1280x800 and the
 * 1920x1080 window, the Head map, each Stages map and the grid's thumbnails cover at least 80% of their region's
 * shorter side; the Head view labels its tokens at 58; the Head map zooms about the pointer with the wheel, pans with
 * a drag and Shift+arrows, fits again with 0 and a double click, and shows its minimap only while zoomed. The views
 * are saved to {@code target/attention-screens/} to be looked at.
 */
class MapsFillPanelTest {

    /** The tab's content area in the 1280x800 window and in the 1920x1080 one (measured on screenshots). */
    private static final double[][] PANELS = {{730, 430}, {1280, 700}};
    private static final double SHARE = 0.8;
    /**
     * The wheel turned away from the user, as a real mouse reports it (deltaY &gt; 0): TestFX's robot on Monocle sends
     * that for DOWN (its UP arrives as deltaY &lt; 0).
     */
    private static final javafx.geometry.VerticalDirection ZOOM_IN = javafx.geometry.VerticalDirection.DOWN;
    private static final Path SCREENS = Path.of("target", "attention-screens");

    private static MapPasses passes;
    private static final Map<Integer, MapPasses.Pass> RUN = new HashMap<>();
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void setUp() throws Exception {
        FxToolkit.registerPrimaryStage();
        stage = fx(Stage::new);
        Files.createDirectories(SCREENS);
        passes = new MapPasses();
        for (int n : new int[] {9, 58, 481}) {
            RUN.put(n, passes.run(n));
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        fx(() -> {
            stage.close();
            return null;
        });
        passes.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 58, 481})
    void theHeadMapFillsItsRegion(int tokens) throws Exception {
        MapPasses.Pass pass = RUN.get(tokens);
        StageData data = StageData.from(pass.stepper(), 0, 1, pass.tokens());
        for (double[] panel : PANELS) {
            HeadDetailView view = fx(HeadDetailView::new);
            show(view, panel[0], panel[1]);
            robot.interact(() -> view.setData(data));
            AttentionMapView map = view.map();
            Rectangle2D frame = fx(map::frame);
            double region = fx(() -> Math.min(map.getWidth(), map.getHeight()));
            double share = Math.min(frame.getWidth(), frame.getHeight()) / region;
            System.out.printf(Locale.ROOT, "head %d tokens in %.0fx%.0f: map %.0f px of a %.0f px region (%.0f%%), cell %.2f, pooled %d%n",
                    tokens, panel[0], panel[1], frame.getWidth(), region, 100 * share, fx(map::cellSize), fx(map::poolingFactor));
            assertTrue(share >= SHARE, "the Head map takes " + frame + " of " + region + " px");
            assertTrue(region >= 0.8 * Math.min(panel[0], panel[1]), "the map's region is the view's main part: " + region);
            assertEquals(frame.getWidth(), frame.getHeight(), 1, "square cells");
            save(view, "fill-head-" + tokens + "-" + (int) panel[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 58, 481})
    void everyStagesMapFillsItsShare(int tokens) throws Exception {
        MapPasses.Pass pass = RUN.get(tokens);
        StageData data = StageData.from(pass.stepper(), 1, 2, pass.tokens());
        for (double[] panel : PANELS) {
            StageStripView view = fx(StageStripView::new);
            show(view, panel[0], panel[1]);
            robot.interact(() -> view.setData(data));
            WaitForAsyncUtils.waitForFxEvents();
            double best = 0;
            for (AttentionMapView map : fx(view::maps)) {
                Rectangle2D frame = fx(map::frame);
                double region = fx(() -> Math.min(map.getWidth(), map.getHeight()));
                double share = Math.min(frame.getWidth(), frame.getHeight()) / region;
                System.out.printf(Locale.ROOT, "stages %d tokens in %.0fx%.0f (%d columns): %s map %.0f px of a %.0f px share (%.0f%%)%n",
                        tokens, panel[0], panel[1], fx(view::columns), fx(() -> map.titleProperty().get()), frame.getWidth(), region, 100 * share);
                assertTrue(share >= SHARE, map.getId() + " takes " + frame + " of its " + region + " px share");
                best = Math.max(best, frame.getWidth());
            }
            // the arrangement is the one with the largest maps: none of the three others would give 10% more
            double side = best;
            double w = fx(() -> view.maps().get(0).getParent().getLayoutBounds().getWidth());
            double h = fx(() -> view.maps().get(0).getParent().getLayoutBounds().getHeight());
            for (int columns : new int[] {1, 2, 4}) {
                int rows = 4 / columns;
                double ideal = Math.min((w - StageMapsPane.GAP * (columns - 1)) / columns, (h - StageMapsPane.GAP * (rows - 1)) / rows);
                assertTrue(side >= 0.7 * ideal, columns + " columns would leave squares of " + ideal + ", the maps have " + side);
            }
            save(view, "fill-stages-" + tokens + "-" + (int) panel[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 58, 481})
    void theGridsThumbnailsFillItsRegion(int tokens) throws Exception {
        MapPasses.Pass pass = RUN.get(tokens);
        AttentionGridData data = AttentionGridData.from(pass.stepper(), pass.tokens());
        for (double[] panel : PANELS) {
            AttentionGridView view = fx(AttentionGridView::new);
            show(view, panel[0], panel[1]);
            robot.interact(() -> view.setData(data));
            Rectangle2D frame = fx(view::frame);
            double share = Math.max(frame.getWidth() / fx(view::getWidth), frame.getHeight() / fx(view::getHeight));
            System.out.printf(Locale.ROOT, "grid %d tokens in %.0fx%.0f: %d x %d thumbnails of %.1f px cover %.0fx%.0f (%.0f%%)%n",
                    tokens, panel[0], panel[1], data.layers(), data.heads(), fx(view::thumbnailSize), frame.getWidth(),
                    frame.getHeight(), 100 * share);
            assertTrue(share >= SHARE, "the thumbnails cover " + frame + " of the grid's " + fx(view::getWidth) + " x " + fx(view::getHeight));
            assertEquals(data.layers() * data.heads(), (int) fx(view::thumbnailCount));
            save(view, "fill-grid-" + tokens + "-" + (int) panel[0]);
        }
    }

    /** 58 tokens: rows lower than a line of text, yet both columns carry labels (every k-th), the hovered one too. */
    @Test
    void theHeadViewLabelsFiftyEightTokens() throws Exception {
        MapPasses.Pass pass = RUN.get(58);
        AttentionGridData data = AttentionGridData.from(pass.stepper(), pass.tokens());
        HeadLinesView view = fx(HeadLinesView::new);
        show(view, PANELS[0][0], PANELS[0][1]);
        robot.interact(() -> {
            view.setData(data);
            view.layerProperty().set(1);
            view.headProperty().set(2);
        });
        int stride = fx(view::labelStride);
        int labels = fx(view::labelCount);
        System.out.printf(Locale.ROOT, "head view 58 tokens: rows of %.2f px, every %d token labelled, %d labels%n",
                fx(view::rowHeight), stride, labels);
        assertTrue(stride >= 1 && stride <= 3, "labels every " + stride + " tokens");
        assertTrue(labels >= 2 * (58 / stride), labels + " labels in the two columns");
        double rows = fx(view::rowHeight) * 58;
        assertTrue(rows >= 0.8 * (PANELS[0][1] - 60), "the rows take the view's height: " + rows);
        robot.interact(() -> view.setHover(0, 57));
        assertTrue(fx(view::labelCount) >= labels / 2, "the hovered query is labelled, with every k-th key");
        save(view, "head-view-58");
    }

    @Test
    void theHeadMapZoomsAboutThePointerPansAndShowsItsMinimapOnlyWhenZoomed() throws Exception {
        MapPasses.Pass pass = RUN.get(58);
        StageData data = StageData.from(pass.stepper(), 0, 0, pass.tokens());
        HeadDetailView view = fx(HeadDetailView::new);
        show(view, PANELS[0][0], PANELS[0][1]);
        robot.interact(() -> view.setData(data));
        AttentionMapView map = view.map();
        assertFalse(fx(map::minimapShown), "the whole map: no minimap");
        assertEquals(58, fx(() -> map.lastLayout().cols()));

        Point2D at = fx(() -> map.cellCentre(40, 20));
        MapCell before = fx(() -> map.cellAtPoint(at.getX(), at.getY()));
        robot.moveTo(fx(() -> map.localToScreen(at)));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(() -> map.hoveredProperty().get()) != null);
        robot.scroll(3, ZOOM_IN);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(map::getZoom) > 1.5);
        MapLayout zoomed = fx(map::lastLayout);
        assertTrue(zoomed.cols() < 58 && zoomed.rows() < 58, "a window of the map: " + zoomed.rows() + " x " + zoomed.cols());
        assertEquals(before, fx(() -> map.cellAtPoint(at.getX(), at.getY())), "the cell under the pointer stays under it");
        assertTrue(fx(map::minimapShown), "zoomed: the minimap shows");
        save(view, "zoom-head-58");

        // a drag to the left and up shows cells further right and down
        double col0 = zoomed.g().col0();
        double row0 = zoomed.g().row0();
        robot.drag(MouseButton.PRIMARY).moveBy(-60, -40).drop();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(() -> map.lastLayout().g().col0()) > col0 + 1);
        MapLayout panned = fx(map::lastLayout);
        assertTrue(panned.g().row0() > row0 + 0.5, "rows " + row0 + " -> " + panned.g().row0());
        assertEquals(zoomed.g().cellW(), panned.g().cellW(), 1e-9, "panning keeps the zoom");

        // Shift+Left pans back by a quarter of the frame; 0 fits the whole map again
        robot.interact(map::requestFocus);
        double c1 = panned.g().col0();
        robot.press(KeyCode.SHIFT).type(KeyCode.LEFT).release(KeyCode.SHIFT);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(() -> map.lastLayout().g().col0()) < c1 - 1);
        robot.type(KeyCode.DIGIT0);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(map::getZoom) == 1);
        assertFalse(fx(map::minimapShown), "fitted again: no minimap");
        assertEquals(58, fx(() -> map.lastLayout().cols()));

        // the wheel again, then a double click fits
        robot.moveTo(fx(() -> map.localToScreen(map.cellCentre(10, 10))));
        robot.scroll(2, ZOOM_IN);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(map::getZoom) > 1.2);
        assertTrue(fx(map::minimapShown));
        robot.doubleClickOn(MouseButton.PRIMARY);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(map::getZoom) == 1);
        assertFalse(fx(map::minimapShown));
        assertNotEquals(0, fx(map::cellSize));
        assertNotNull(fx(map::frame));
    }

    private void show(Parent root, double w, double h) throws Exception {
        robot.interact(() -> {
            // a tooltip the previous test's resting mouse opened stays up over the next scene and takes its mouse events
            new ArrayList<>(Window.getWindows()).stream().filter(t -> t instanceof Tooltip).forEach(Window::hide);
            if (root instanceof Region r) {
                r.setStyle("-fx-padding: 0;");
            }
            Scene scene = new Scene(root, w, h);
            scene.getStylesheets().setAll(Theme.LIGHT.stylesheets());
            stage.setScene(scene);
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(w);
            stage.setHeight(h);
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static void save(Parent node, String name) throws Exception {
        for (Theme theme : Theme.values()) {
            fx(() -> {
                node.getScene().getStylesheets().setAll(theme.stylesheets());
                return null;
            });
            WaitForAsyncUtils.waitForFxEvents();
            WritableImage image = fx(() -> node.getScene().getRoot().snapshot(null, null));
            File file = SCREENS.resolve(name + (theme == Theme.DARK ? "-dark" : "") + ".png").toFile();
            ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file);
        }
        fx(() -> {
            node.getScene().getStylesheets().setAll(Theme.LIGHT.stylesheets());
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(30, TimeUnit.SECONDS);
    }
}
