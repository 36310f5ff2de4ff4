package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.ColorMode;
import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.theme.Theme;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.Pooling;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attention views against real engine data (all-MiniLM-L6-v2, random-gpt2-tiny, and a random GPT-2 with a
 * long position table for 1024 tokens), headless under Monocle. Each test saves what it shows to
 * {@code target/attention-screens/} so a person can look at it.
 */
class AttentionViewsTest {

    private static final Path SCREENS = Path.of("target", "attention-screens");
    private static final String MINILM_PROMPT = "The cat sat on the mat because it was tired.";

    private static Stage stage;
    private static LoadedModel minilm;
    private static LoadedModel gpt2;
    private static LoadedModel longModel;
    private static Stepper minilmStepper;
    private static Stepper gpt2Stepper;
    private static Stepper longStepper;
    private static List<String> minilmTokens;
    private static List<String> gpt2Tokens;
    private static List<String> longTokens;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void setUp() throws Exception {
        FxToolkit.registerPrimaryStage();
        stage = fx(Stage::new); // own stage: the primary one keeps sizes other test classes set
        Files.createDirectories(SCREENS);
        minilm = SampleModels.open("all-minilm-l6-v2", DjlRuntime.DeviceChoice.CPU);
        Tokenizer.Tokens t = minilm.tokenizer().encode(MINILM_PROMPT);
        minilmTokens = List.of(t.strings());
        minilmStepper = new Stepper(minilm.model(), Stepper.Options.DEFAULT);
        minilmStepper.reset(t.ids());
        minilmStepper.runTo("blocks.2.attn.hook_pattern"); // layers 3..5 stay pending

        gpt2 = SampleModels.open(SampleModels.RANDOM_GPT2_TINY.name(), DjlRuntime.DeviceChoice.CPU);
        Tokenizer.Tokens g = gpt2.tokenizer().encode("Hello, attention!");
        gpt2Tokens = labels(gpt2.tokenizer(), g.ids());
        gpt2Stepper = new Stepper(gpt2.model(), Stepper.Options.DEFAULT);
        gpt2Stepper.reset(g.ids());
        gpt2Stepper.runToEnd();

        ModelConfig config = new ModelConfig(2, 4, 64, 1100, 256, 1e-5, ModelConfig.Activation.GELU_NEW);
        Tokenizer bytes = Tokenizer.fromJson(ByteLevelVocab.tokenizerJson(), "byte-level tokenizer.json");
        longModel = LoadedModel.of("long-random", config, RandomGpt2.tensors(config, 7, 0.3f), bytes, DjlRuntime.DeviceChoice.CPU);
        long[] ids = bytes.encode("Attention over a long sequence keeps its shape. ".repeat(22).substring(0, 1024)).ids();
        assertEquals(1024, ids.length);
        longTokens = labels(bytes, ids);
        longStepper = new Stepper(longModel.model(), Stepper.Options.DEFAULT);
        longStepper.reset(ids);
        longStepper.runToEnd();
    }

    private static List<String> labels(Tokenizer tokenizer, long[] ids) {
        List<String> out = new ArrayList<>();
        for (long id : ids) {
            out.add(tokenizer.decode(id).replace(' ', '\u2423').replace("\n", "\u21b5"));
        }
        return out;
    }

    @AfterAll
    static void tearDown() throws Exception {
        FxToolkit.cleanupStages();
        for (AutoCloseable c : new AutoCloseable[] {minilmStepper, gpt2Stepper, longStepper, minilm, gpt2, longModel}) {
            if (c != null) {
                c.close();
            }
        }
    }

    // ---- grid ---------------------------------------------------------------------------------------------

    @Test
    void gridShowsEveryLayerTimesHeadAndMarksPendingLayers() throws Exception {
        AttentionGridData data = AttentionGridData.from(minilmStepper, minilmTokens);
        assertEquals(6, data.layers());
        assertEquals(12, data.heads());
        assertEquals(3, data.computedLayers(), "the pass stopped at layer 2's pattern");
        assertNull(data.layer(3, Pooling.Rule.MAX));
        TensorData pattern = minilmStepper.read("blocks.1.attn.hook_pattern");
        int t = minilmTokens.size();
        float[] layer1 = data.layer(1, Pooling.Rule.MAX);
        for (int h = 0; h < 12; h++) {
            for (int q = 0; q < t; q++) {
                for (int k = 0; k < t; k++) {
                    assertEquals(pattern.get(0, h, q, k), layer1[(h * t + q) * t + k]);
                }
            }
        }
        AttentionGridView grid = fx(() -> new AttentionGridView());
        show(grid, 900, 560);
        robot.interact(() -> grid.setData(data));
        assertEquals(6 * 12, (int) fx(grid::thumbnailCount));
        assertTrue(fx(grid::thumbnailSize) >= 20, "thumbnails big enough to see");

        Point2D centre = fx(() -> grid.localToScreen(grid.thumbnailCentre(2, 7)));
        robot.clickOn(centre);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, (int) fx(() -> grid.selectedLayerProperty().get()));
        assertEquals(7, (int) fx(() -> grid.selectedHeadProperty().get()));
        robot.push(KeyCode.DOWN);
        robot.push(KeyCode.RIGHT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(3, (int) fx(() -> grid.selectedLayerProperty().get()));
        assertEquals(8, (int) fx(() -> grid.selectedHeadProperty().get()));
        save(grid, "grid-minilm");
    }

    // ---- enlarged head --------------------------------------------------------------------------------------

    /**
     * 43 tokens in the Head tab's size: the cells are smaller than a line of text, yet both axes carry labels,
     * thinned to every k-th so that no two overlap, and the hover still reads out an unlabelled cell.
     */
    @Test
    void fortyThreeTokensAreLabelledOnBothAxesWithoutOverlap() throws Exception {
        String prompt = "Attention is all you need, said the paper.."; // 43 byte-level tokens
        StageData data;
        List<String> tokens;
        try (Stepper s = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            long[] ids = gpt2.tokenizer().encode(prompt).ids();
            assertEquals(43, ids.length);
            tokens = labels(gpt2.tokenizer(), ids);
            s.reset(ids);
            s.runTo("blocks.0.attn.hook_pattern");
            data = StageData.from(s, 0, 1, tokens);
        }
        AttentionSettings settings = new AttentionSettings();
        HeadDetailView view = fx(() -> new HeadDetailView(settings));
        show(withControls(view, settings), 760, 640);
        robot.interact(() -> view.setData(data));
        AttentionMapView map = view.map();
        MapLayout layout = fx(map::lastLayout);
        assertTrue(layout.labels(), "labels at the map's first sight, without zooming");
        assertEquals(1, layout.factor());
        double line = fx(() -> dev.attnstudio.app.heatmap.AxisLabels.lineHeight(javafx.scene.text.Font.font("Monospaced", 11)));
        assertTrue(layout.cell() < line, "cells (" + layout.cell() + " px) are smaller than a line: labels must thin");
        int stride = fx(() -> map.labelStride(layout));
        assertTrue(stride > 1 && stride * layout.cell() >= line, "every " + stride + "th of " + layout.cell() + " px cells");
        assertTrue((stride - 1) * layout.cell() < line + 2, "no sparser than needed: every " + stride + "th");
        int q = 5; // an odd row: not labelled when every 2nd is
        int k = 7;
        robot.moveTo(fx(() -> map.localToScreen(map.cellCentre(q, k))));
        // Monocle may deliver the move after the FX queue drained once (seen on a loaded machine): wait for it
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> fx(() -> map.hoveredProperty().get()) != null);
        String readout = fx(() -> view.readoutProperty().get());
        assertTrue(readout.startsWith("query 5 \u2018" + tokens.get(5) + "\u2019 \u2192 key 7 \u2018" + tokens.get(7)), readout);
        save(view, "head-43-tokens");
    }


    @Test
    void enlargedHeadDrawsTheEnginesPatternAndReadsOutRawAndScaledScores() throws Exception {
        int layer = 1;
        int head = 3;
        StageData data = StageData.from(minilmStepper, layer, head, minilmTokens);
        TensorData pattern = minilmStepper.read("blocks.1.attn.hook_pattern");
        TensorData raw = minilmStepper.read("blocks.1.attn.hook_qk_raw");
        TensorData scaled = minilmStepper.read("blocks.1.attn.hook_attn_scores_unmasked");
        int t = minilmTokens.size();
        assertEquals(t, data.pattern().rows());
        for (int q = 0; q < t; q++) {
            for (int k = 0; k < t; k++) {
                assertEquals(pattern.get(0, head, q, k), data.pattern().get(q, k), "pattern " + q + "," + k);
                assertEquals(raw.get(0, head, q, k), data.raw().get(q, k));
                assertEquals(scaled.get(0, head, q, k), data.scaled().get(q, k));
            }
        }
        AttentionSettings settings = new AttentionSettings();
        HeadDetailView view = fx(() -> new HeadDetailView(settings));
        show(withControls(view, settings), 760, 640);
        robot.interact(() -> view.setData(data));
        AttentionMapView map = view.map();
        assertEquals(1, (int) fx(map::poolingFactor), "14 tokens fit without pooling");
        assertTrue(fx(() -> map.lastLayout().labels()), "token labels on both axes");
        // the colour drawn at each cell is the linear colour of the engine's weight
        CellColors linear = CellColors.of(AttentionMatrix.Kind.WEIGHTS, data.pattern().range(), ColorMode.LINEAR);
        for (int q = 0; q < t; q++) {
            for (int k = 0; k < t; k++) {
                int qq = q;
                int kk = k;
                assertEquals(linear.argb(pattern.get(0, head, q, k), 0), (int) fx(() -> map.pixelAt(qq, kk)));
            }
        }

        int q = 4;
        int k = 2;
        robot.moveTo(fx(() -> map.localToScreen(map.cellCentre(q, k))));
        WaitForAsyncUtils.waitForFxEvents();
        String readout = fx(() -> view.readoutProperty().get());
        assertTrue(readout.startsWith("query 4 \u2018" + minilmTokens.get(4) + "\u2019 \u2192 key 2 \u2018" + minilmTokens.get(2)), readout);
        assertTrue(readout.contains("weight " + Readouts.format(pattern.get(0, head, q, k))), readout);
        assertTrue(readout.contains("raw " + Readouts.format(raw.get(0, head, q, k))), readout);
        assertTrue(readout.contains("scaled " + Readouts.format(scaled.get(0, head, q, k))), readout);
        save(view.getParent(), "head-minilm");

        // keyboard: click a cell, then the arrows move the cursor cell by cell
        robot.clickOn(fx(() -> map.localToScreen(map.cellCentre(0, 0))));
        robot.moveTo(fx(() -> view.localToScreen(5, 5)));
        robot.push(KeyCode.RIGHT).push(KeyCode.RIGHT).push(KeyCode.DOWN);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(MapCell.single(1, 2), fx(() -> map.cellCursorProperty().get()));
        assertTrue(fx(() -> view.readoutProperty().get()).contains("raw " + Readouts.format(raw.get(0, head, 1, 2))));

        // log and per-row colours differ from linear where they should
        robot.interact(() -> settings.setColorMode(ColorMode.LOG));
        CellColors log = CellColors.of(AttentionMatrix.Kind.WEIGHTS, data.pattern().range(), ColorMode.LOG);
        int[] small = smallestWeight(data.pattern());
        float v = data.pattern().get(small[0], small[1]);
        assertEquals(log.argb(v, 0), (int) fx(() -> map.pixelAt(small[0], small[1])));
        assertNotEquals(linear.argb(v, 0), log.argb(v, 0), "a weight of " + v + " looks different on a log scale");
        save(view.getParent(), "head-minilm-log");
        robot.interact(() -> settings.setColorMode(ColorMode.PER_ROW));
        int[] top = rowMax(data.pattern(), 5);
        assertEquals(ColorScale.sequential(1.0), (int) fx(() -> map.pixelAt(5, top[1])), "each row's maximum is the darkest colour");
        save(view.getParent(), "head-minilm-per-row");
    }

    // ---- stages --------------------------------------------------------------------------------------------

    @Test
    void stageStripShowsFourStagesWithMaskedCellsHatched() throws Exception {
        StageData data = StageData.from(gpt2Stepper, 0, 1, gpt2Tokens);
        for (int s = 0; s < 4; s++) {
            assertNotNull(data.stages().get(s), "stage " + s);
            TensorData engine = gpt2Stepper.read(AttentionSource.SELF.hook(0, StageData.HOOKS.get(s)));
            for (int q = 0; q < data.raw().rows(); q++) {
                for (int k = 0; k < data.raw().cols(); k++) {
                    assertEquals(engine.get(0, 1, q, k), data.stages().get(s).get(q, k));
                }
            }
        }
        assertEquals(Float.NEGATIVE_INFINITY, data.masked().get(0, 3), "GPT-2 is causal");
        StageStripView strip = fx(() -> new StageStripView());
        show(strip, 1200, 460);
        robot.interact(() -> strip.setData(data));
        AttentionMapView masked = strip.maps().get(2);
        AttentionMapView softmax = strip.maps().get(3);
        int hatch = fx(() -> masked.pixelAt(0, 3));
        Point2D origin = fx(() -> masked.cellCentre(0, 3));
        assertTrue(hatch == 0xffd9d9d9 || hatch == 0xff9a9a9a, "masked cell is hatched grey: " + Integer.toHexString(hatch));
        // the softmax there is exactly 0: a pale colour, never the hatch
        assertEquals(0f, data.pattern().get(0, 3));
        int zero = fx(() -> softmax.pixelAt(0, 3));
        assertEquals(ColorScale.sequential(0), zero);
        assertNotEquals(hatch, zero);
        assertNotNull(origin);

        robot.moveTo(fx(() -> strip.maps().get(0).localToScreen(strip.maps().get(0).cellCentre(3, 1))));
        WaitForAsyncUtils.waitForFxEvents();
        String readout = fx(() -> strip.readoutProperty().get());
        assertTrue(readout.contains("q\u00b7k " + Readouts.format(data.raw().get(3, 1))), readout);
        assertTrue(readout.contains("softmax " + Readouts.format(data.pattern().get(3, 1))), readout);
        assertEquals(MapCell.single(3, 1), fx(() -> softmax.cellCursorProperty().get()), "hover marks the cell in every stage");
        save(strip, "stages-gpt2-tiny");

        StageData mini = StageData.from(minilmStepper, 2, 5, minilmTokens);
        robot.interact(() -> strip.setData(mini));
        save(strip, "stages-minilm");
    }

    // ---- lines ---------------------------------------------------------------------------------------------

    @Test
    void lineViewDrawsOneLinePerVisibleWeightAndIsolatesAHoveredToken() throws Exception {
        AttentionGridData data = AttentionGridData.from(minilmStepper, minilmTokens);
        HeadLinesView lines = fx(HeadLinesView::new);
        show(lines, 700, 560);
        robot.interact(() -> {
            lines.setData(data);
            lines.layerProperty().set(2);
            lines.headProperty().set(4);
        });
        TensorData pattern = minilmStepper.read("blocks.2.attn.hook_pattern");
        int t = minilmTokens.size();
        int expected = 0;
        int fromQuery3 = 0;
        for (int q = 0; q < t; q++) {
            for (int k = 0; k < t; k++) {
                if (pattern.get(0, 4, q, k) >= HeadLinesView.MIN_WEIGHT) {
                    expected++;
                    fromQuery3 += q == 3 ? 1 : 0;
                }
            }
        }
        assertEquals(expected, (int) fx(lines::lineCount));
        save(lines, "lines-minilm-head");
        robot.interact(() -> lines.setHover(0, 3));
        assertEquals(fromQuery3, (int) fx(lines::lineCount));
        save(lines, "lines-minilm-hover");
        robot.interact(() -> {
            lines.setHover(-1, 0);
            lines.headProperty().set(-1);
        });
        assertTrue(fx(lines::lineCount) > expected, "every head draws more lines than one");
        save(lines, "lines-minilm-all-heads");
    }

    // ---- long sequences ------------------------------------------------------------------------------------

    @Test
    void longSequencesArePooledByTheChosenRuleAndSaySo() throws Exception {
        StageData data = StageData.from(longStepper, 1, 2, longTokens);
        assertEquals(1024, data.pattern().rows());
        AttentionSettings settings = new AttentionSettings();
        HeadDetailView view = fx(() -> new HeadDetailView(settings));
        show(withControls(view, settings), 760, 700);
        robot.interact(() -> view.setData(data));
        AttentionMapView map = view.map();
        int factor = fx(map::poolingFactor);
        assertTrue(factor >= 2, "1024 keys in under 700 pixels are pooled, factor " + factor);
        assertEquals("max-pooled " + factor + "\u00d7" + factor, fx(map::poolingText));
        assertEquals(Pooling.blocks(1024, factor), fx(() -> map.lastLayout().blockCols()), "whole matrix visible as blocks");
        float[] values = data.pattern().values();
        // block (5, 2) of the drawing is the max, then the mean, of its cells by hand
        int r0 = 5 * factor;
        int c0 = 2 * factor;
        float max = Float.NEGATIVE_INFINITY;
        double sum = 0;
        for (int r = r0; r < r0 + factor; r++) {
            for (int c = c0; c < c0 + factor; c++) {
                max = Math.max(max, values[r * 1024 + c]);
                sum += values[r * 1024 + c];
            }
        }
        int blockCols = fx(() -> map.lastLayout().blockCols());
        assertEquals(max, fx(() -> map.lastLayout().pooled()[5 * blockCols + 2]));
        save(view.getParent(), "head-1024-max");
        robot.interact(() -> settings.setPooling(Pooling.Rule.MEAN));
        assertEquals("mean-pooled " + factor + "\u00d7" + factor, fx(map::poolingText));
        assertEquals(sum / (factor * factor), fx(() -> map.lastLayout().pooled()[5 * blockCols + 2]), 1e-6);
        save(view.getParent(), "head-1024-mean");

        // zoomed in, only the visible window is drawn, at one cell per pixel block or larger
        robot.interact(() -> map.setZoom(8));
        MapLayout zoomed = fx(map::lastLayout);
        assertEquals(1, zoomed.factor());
        assertTrue(zoomed.rows() < 1024 && zoomed.cols() < 1024, "a window, not the whole matrix: " + zoomed);
        assertEquals(zoomed.blockRows() * zoomed.blockCols(), zoomed.pooled().length);
        save(view.getParent(), "head-1024-zoomed");

        AttentionGridData grid = AttentionGridData.from(longStepper, longTokens);
        assertEquals(Pooling.factor(1024, AttentionGridData.MAX_CELLS), grid.factor());
        AttentionGridView gridView = fx(() -> new AttentionGridView(settings));
        show(gridView, 700, 420);
        robot.interact(() -> gridView.setData(grid));
        assertEquals(2 * 4, (int) fx(gridView::thumbnailCount));
        assertTrue(fx(gridView::poolingFactor) >= 4);
        save(gridView, "grid-1024");
        StageStripView strip = fx(() -> new StageStripView(settings));
        show(strip, 1200, 420);
        robot.interact(() -> strip.setData(data));
        save(strip, "stages-1024");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static int[] smallestWeight(AttentionMatrix m) {
        int[] best = {0, 0};
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                if (m.get(r, c) < m.get(best[0], best[1])) {
                    best = new int[] {r, c};
                }
            }
        }
        return best;
    }

    private static int[] rowMax(AttentionMatrix m, int row) {
        int best = 0;
        for (int c = 1; c < m.cols(); c++) {
            if (m.get(row, c) > m.get(row, best)) {
                best = c;
            }
        }
        return new int[] {row, best};
    }

    private static Parent withControls(Node view, AttentionSettings settings) {
        BorderPane pane = new BorderPane(view);
        pane.setTop(settings.controls());
        pane.setStyle("-fx-padding: 8; -fx-spacing: 6;");
        return pane;
    }

    private void show(Parent root, double w, double h) throws Exception {
        robot.interact(() -> {
            // A tooltip the previous test's resting mouse opened stays up over the next scene and takes its mouse events.
            new ArrayList<>(Window.getWindows()).stream().filter(t -> t instanceof Tooltip).forEach(Window::hide);
            Scene scene = new Scene(root instanceof javafx.scene.layout.Region r ? wrap(r) : root, w, h);
            scene.getStylesheets().add(Styles.stylesheet());
            stage.setScene(scene);
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(w);
            stage.setHeight(h);
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static Parent wrap(javafx.scene.layout.Region view) {
        if (view instanceof BorderPane) {
            return view;
        }
        BorderPane pane = new BorderPane(view);
        pane.setStyle("-fx-padding: 8;");
        return pane;
    }

    /** Saves the scene as {name}.png in the light theme and as {name}-dark.png in the dark one. */
    private static void save(Node node, String name) throws Exception {
        for (Theme theme : Theme.values()) {
            fx(() -> node.getScene().getStylesheets().setAll(theme.stylesheets()));
            WaitForAsyncUtils.waitForFxEvents();
            WritableImage image = fx(() -> node.getScene().getRoot().snapshot(null, null));
            File file = SCREENS.resolve(name + (theme == Theme.DARK ? "-dark" : "") + ".png").toFile();
            try {
                ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + file, e);
            }
        }
        fx(() -> node.getScene().getStylesheets().setAll(Theme.LIGHT.stylesheets()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(30, TimeUnit.SECONDS);
    }
}
