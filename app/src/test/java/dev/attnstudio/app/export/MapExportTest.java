package dev.attnstudio.app.export;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.panels.MaskPanel;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;
import org.w3c.dom.Document;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.menuItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * File > Export of the map views in the real window (the sample it starts on, at its first pattern): each PNG is the map
 * itself, filling the picture (no empty half), under it the caption; the Mask's is its map and legend only (none of
 * the panel's controls, not its title line); the scale factor scales the drawing; the captions, read from the SVG
 * exports, name the model, the prompt, the layer, the head, the stage and the colour scale.
 */
class MapExportTest {

    private static final List<String> VIEWS = List.of("attention-grid", "head", "head-view", "stages", "mask", "entropy");
    private static AppHarness app;
    private static Path dir;
    private static int exports;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        app = AppHarness.start();
        awaitReady();
        dir = Files.createTempDirectory("attnstudio-map-export");
        fx(() -> {
            app.viewModel().stepping().runToBreakpoint(); // F5: blocks.*.attn.hook_pattern, layer 0's pattern
            return null;
        });
        awaitIdle(vm());
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    @Test
    void everyMapViewExportsItsMapFillingThePicture() throws Exception {
        for (String view : VIEWS) {
            show(view);
            Path png = export(view, "exportPng2xItem", ".png");
            BufferedImage image = ImageIO.read(png.toFile());
            int body = captionTop(image);
            int[] box = inkBox(image, body);
            double across = (box[2] - box[0] + 1) / (double) image.getWidth();
            double down = (box[3] - box[1] + 1) / (double) body;
            System.out.printf(Locale.ROOT, "%s: %d x %d px, map %d px high, drawn over %.0f%% x %.0f%% of it%n",
                    view, image.getWidth(), image.getHeight(), body, 100 * across, 100 * down);
            assertTrue(across >= 0.9 && down >= 0.9, view + ": the drawing covers " + across + " x " + down + " of the picture");
            assertTrue(image.getHeight() - body >= 4 * 2 * 12, view + ": a caption of several lines under the map");
        }
    }

    @Test
    void theMaskExportIsTheMapAndItsLegendOnly() throws Exception {
        show("mask");
        MaskPanel panel = robot.lookup("#maskPanel").queryAs(MaskPanel.class);
        Node figure = fx(() -> panel.figure().render(2));
        List<Node> inputs = fx(() -> {
            List<Node> found = new ArrayList<>();
            collect(figure, found);
            return found;
        });
        assertEquals(List.of(), inputs, "no spinner, check box or other input in the figure");
        double[] size = fx(() -> {
            Scene scene = new Scene(new Group(figure)); // laid out as the export lays it out
            scene.getStylesheets().setAll(panel.getScene().getStylesheets());
            figure.applyCss();
            scene.getRoot().layout();
            return new double[] {figure.getLayoutBounds().getWidth(), figure.getLayoutBounds().getHeight()};
        });
        Path png = export("mask", "exportPng2xItem", ".png");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(Math.round(size[0] * 2), image.getWidth(), "the map and legend's width at 2x");
        assertEquals(Math.round(size[1] * 2), captionTop(image), 2, "the map and legend, then the caption");
        // the figure is the map's own drawing (cells, labels) and the legend's swatches, nothing else of the panel
        List<String> parts = fx(() -> ((Parent) figure).getChildrenUnmodifiable().stream().map(n -> n.getClass().getSimpleName()).toList());
        assertEquals(List.of("ImageView", "FlowPane"), parts);
        assertTrue(fx(() -> ((javafx.scene.image.ImageView) ((Parent) figure).getChildrenUnmodifiable().get(0)).getImage().getHeight())
                <= 2 * fx(panel::getHeight) - 2 * 60, "the map's drawing, without the panel's title and control lines");

        // 1x and 4x: the same figure at a quarter of the pixels a side
        Path one = export("mask", "exportPng1xItem", ".png");
        Path four = export("mask", "exportPng4xItem", ".png");
        int w1 = ImageIO.read(one.toFile()).getWidth();
        int w4 = ImageIO.read(four.toFile()).getWidth();
        assertEquals(4.0 * w1, w4, 4, "4x is four times 1x: " + w1 + " and " + w4);
    }

    @Test
    void captionsNameModelPromptLayerHeadStageAndColourScale() throws Exception {
        String prompt = fx(() -> vm().prompt().textProperty().get());
        String model = fx(() -> vm().session().modelInfoProperty().get().name()); // the sample the window starts on
        for (String view : VIEWS) {
            show(view);
            Path svg = export(view, "exportSvgItem", ".svg");
            String text = text(svg);
            List<String> expected = new ArrayList<>(List.of("model: " + model, "prompt: \u201c" + prompt + "\u201d",
                    "colour scale: "));
            switch (view) {
                case "attention-grid", "entropy" -> expected.addAll(List.of("layer all (0\u20133)", "head all (0\u20133)"));
                default -> expected.addAll(List.of("layer 0", "head 0"));
            }
            expected.add(switch (view) {
                case "attention-grid" -> "stage blocks.*.attn.hook_pattern";
                case "head", "head-view" -> "stage blocks.0.attn.hook_pattern";
                case "stages" -> "stage blocks.0.attn.hook_qk_raw \u2192 blocks.0.attn.hook_attn_scores_unmasked";
                case "mask" -> "stage blocks.0.attn.hook_mask";
                default -> "stage mean normalized entropy of every hook_pattern";
            });
            for (String part : expected) {
                assertTrue(text.contains(part), view + "'s caption lacks \"" + part + "\": " + text);
            }
        }
    }

    /** Inputs a figure must not hold: any control but a label (legend entries are labels). */
    private static void collect(Node node, List<Node> found) {
        if (node instanceof Control && !(node instanceof Label)) {
            found.add(node);
        }
        if (node instanceof Parent p) {
            p.getChildrenUnmodifiable().forEach(c -> collect(c, found));
        }
    }

    /** The first row of the caption: the caption box's top border, a row of one colour across the picture. */
    private static int captionTop(BufferedImage image) {
        int border = 0xffd5dae1; // the light theme's -as-border
        for (int y = image.getHeight() - 1; y > 0; y--) {
            boolean line = true;
            for (int x = 0; x < image.getWidth() && line; x++) {
                line = image.getRGB(x, y) == border;
            }
            if (line && image.getRGB(0, y - 1) != border) {
                return y;
            }
        }
        throw new AssertionError("no caption band in the picture");
    }

    /** The box {x0, y0, x1, y1} of the pixels above {@code bottom} that are not the background (the surface colour). */
    private static int[] inkBox(BufferedImage image, int bottom) {
        int background = image.getRGB(image.getWidth() - 1, 0) == 0xffffffff ? 0xffffffff : image.getRGB(0, 0);
        int[] box = {image.getWidth(), bottom, -1, -1};
        for (int y = 0; y < bottom; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (image.getRGB(x, y) != background) {
                    box[0] = Math.min(box[0], x);
                    box[1] = Math.min(box[1], y);
                    box[2] = Math.max(box[2], x);
                    box[3] = Math.max(box[3], y);
                }
            }
        }
        return box;
    }

    private void show(String view) throws Exception {
        robot.interact(() -> app.view().select(view));
        awaitIdle(vm());
        // the view's feed runs when its tab shows: wait until its map is drawn
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> drawn(view)));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private boolean drawn(String view) {
        Node node = app.view().tab(view).getContent();
        return node instanceof Region r && r.getWidth() > 0 && switch (view) {
            case "head" -> ((dev.attnstudio.app.attention.HeadDetailView) node).map().figureSize() != null;
            case "attention-grid" -> ((dev.attnstudio.app.attention.AttentionGridView) node).thumbnailCount() > 0;
            case "head-view" -> ((dev.attnstudio.app.attention.HeadLinesView) node).lineCount() > 0;
            case "stages" -> ((dev.attnstudio.app.attention.StageStripView) node).maps().get(3).figureSize() != null;
            case "mask" -> ((MaskPanel) node).dataProperty().get() != null;
            default -> ((dev.attnstudio.app.panels.EntropyPanel) node).dataProperty().get() != null;
        };
    }

    /** Exports the shown view through its menu item into a fresh folder and returns the file. */
    private Path export(String view, String item, String extension) throws Exception {
        Path into = Files.createDirectories(dir.resolve(view + "-" + item + "-" + exports++));
        robot.interact(() -> app.view().setFileAsker((owner, title, name, extensions) -> into.resolve(name)));
        robot.interact(() -> menuItems().stream().filter(i -> item.equals(i.getId())).findFirst()
                .orElseThrow(() -> new AssertionError("no menu item " + item)).fire());
        try {
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> {
                try (Stream<Path> files = Files.list(into)) {
                    return files.anyMatch(f -> f.toString().endsWith(extension))
                            && fx(() -> vm().status().messageProperty().get().text()).startsWith("Exported ");
                }
            });
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(view + ": no " + extension + " written; the status says: "
                    + fx(() -> vm().status().messageProperty().get().text()), e);
        }
        try (Stream<Path> files = Files.list(into)) {
            return files.filter(f -> f.toString().endsWith(extension)).findFirst().orElseThrow();
        }
    }

    private static String text(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        Document d = f.newDocumentBuilder().parse(svg.toFile());
        StringBuilder s = new StringBuilder();
        var texts = d.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            s.append(texts.item(i).getTextContent()).append('\n');
        }
        return s.toString();
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

    private static void awaitReady() throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().isReady() && !vm().status().isBusy()));
        WaitForAsyncUtils.waitForFxEvents();
    }

}
