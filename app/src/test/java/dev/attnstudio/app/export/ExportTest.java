package dev.attnstudio.app.export;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.app.ViewStage;
import dev.attnstudio.app.attention.AttentionMapView;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exports of real engine data (random-gpt2-tiny, whose causal scores hold -inf) and of a live view. */
class ExportTest {

    private static final String SCORES = "blocks.0.attn.hook_attn_scores";
    private static final String PATTERN = "blocks.0.attn.hook_pattern";
    private static LoadedModel model;
    private static TensorData scores;
    private static TensorData pattern;
    private static AttentionMapView mapView;
    private static Heatmap shown;
    private static final ExportService service = new ExportService();
    private final FxRobot robot = new FxRobot();

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        model = SampleModels.open("random-gpt2-tiny", DjlRuntime.DeviceChoice.CPU);
        try (Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(model.tokenizer().encode("Hello, attention").ids());
            stepper.runTo(PATTERN);
            scores = stepper.read(SCORES);
            pattern = stepper.read(PATTERN);
        }
        shown = head(pattern, 1);
        mapView = ViewStage.show(() -> {
            AttentionMapView v = new AttentionMapView(new AttentionSettings(), true);
            v.setMatrix(AttentionMatrix.of(shown.name(), "softmax", AttentionMatrix.Kind.WEIGHTS, shown.rows(),
                    shown.cols(), shown.values(), shown.rowLabels(), shown.colLabels()));
            return v;
        }, 400, 300);
    }

    @AfterAll
    static void tearDown() throws Exception {
        FxToolkit.cleanupStages();
        service.close();
        model.close();
    }

    private static Heatmap head(TensorData t, int head) {
        int h = (int) t.shape()[1];
        int q = (int) t.shape()[2];
        int k = (int) t.shape()[3];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            labels.add("t" + i);
        }
        return Heatmap.of(t.name(), head, h, q, k, Arrays.copyOfRange(t.values(), head * q * k, (head + 1) * q * k),
                labels.subList(0, q), labels);
    }

    @Test
    void npyReadsBackAsTheTensor() throws Exception {
        Path file = service.tensor(scores, dir.resolve(SCORES + ".npy"), false).get(30, TimeUnit.SECONDS);
        Npy.Float32 back = Npy.readFloat32(file);
        assertArrayEquals(scores.shape(), back.shape());
        assertArrayEquals(scores.values(), back.values());
        assertTrue(Arrays.toString(back.values()).contains("-Infinity"), "causal scores keep their -inf");
        assertNoTempFiles();
    }

    @Test
    void csvRoundTripsWithHookShapeAndIndexColumns() throws Exception {
        Path file = service.tensor(scores, dir.resolve("scores.csv"), false).get(30, TimeUnit.SECONDS);
        List<String> lines = Files.readAllLines(file);
        assertEquals("# hook: " + SCORES, lines.get(0));
        assertEquals("# shape: " + scores.shapeString() + " (B, H, T, K)", lines.get(1));
        long[] s = scores.shape();
        assertTrue(lines.get(2).startsWith("B,H,T,0,1,"), lines.get(2));
        assertEquals(3 + s[0] * s[1] * s[2], lines.size(), "one line per batch row, head and query");
        float[] back = new float[scores.values().length];
        int i = 0;
        for (String line : lines.subList(3, lines.size())) {
            String[] cells = line.split(",");
            for (int c = 3; c < cells.length; c++) {
                back[i++] = Float.parseFloat(cells[c]);
            }
        }
        assertArrayEquals(scores.values(), back);
        assertEquals("0,2,1", lines.get(3 + 2 * (int) s[2] + 1).substring(0, 5), "indices lead each line");
    }

    @Test
    void jsonRoundTripsWithHookShapeAndDtype() throws Exception {
        Path file = service.tensor(scores, TensorFormat.JSON, dir.resolve("scores.json"), false).get(30, TimeUnit.SECONDS);
        JsonNode root = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(file.toFile());
        assertEquals(SCORES, root.get("hook").asText());
        assertEquals("float32", root.get("dtype").asText());
        List<Long> shape = new ArrayList<>();
        root.get("shape").forEach(n -> shape.add(n.asLong()));
        assertEquals(Arrays.stream(scores.shape()).boxed().toList(), shape);
        List<Float> flat = new ArrayList<>();
        flatten(root.get("values"), flat);
        float[] back = new float[flat.size()];
        for (int i = 0; i < back.length; i++) {
            back[i] = flat.get(i);
        }
        assertArrayEquals(scores.values(), back);
        assertEquals(scores.shape()[3], root.get("values").get(0).get(0).get(0).size(), "nested by axis");
    }

    private static void flatten(JsonNode n, List<Float> out) {
        if (n.isArray()) {
            n.forEach(c -> flatten(c, out));
        } else {
            out.add(n.isTextual() ? Float.parseFloat(n.asText()) : n.decimalValue().floatValue());
        }
    }

    @Test
    void pngHasTheScaledSizeAndIsNotBlank() throws Exception {
        Caption caption = Caption.forHeatmap(model.name(), "Hello, attention", shown);
        Path file = onFx(() -> service.png(mapView, 2, caption, dir.resolve("map.png"), false));
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(800, image.getWidth());
        assertTrue(image.getHeight() > 600 + 40, "the map at 2x plus a caption band: " + image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < 600; y += 3) {
            for (int x = 0; x < 800; x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, "the map's cells show: " + colours.size() + " colours");
        Set<Integer> captionColours = new HashSet<>();
        for (int y = 600; y < image.getHeight(); y++) {
            for (int x = 0; x < 800; x += 2) {
                captionColours.add(image.getRGB(x, y));
            }
        }
        assertTrue(captionColours.size() > 2, "the caption's text shows");

        Path plain = onFx(() -> service.png(mapView, 1, null, dir.resolve("plain.png"), false));
        BufferedImage one = ImageIO.read(plain.toFile());
        assertEquals(400, one.getWidth());
        assertEquals(300, one.getHeight(), "no caption, no band");
        assertNoTempFiles();
    }

    @Test
    void heatmapSvgHasARectPerCellAndTheCaption() throws Exception {
        Heatmap map = head(scores, 2);
        Caption caption = Caption.forHeatmap(model.name(), "Hello, attention", map);
        Path file = service.heatmapSvg(map, caption, dir.resolve("scores.svg"), false).get(30, TimeUnit.SECONDS);
        Document svg = parse(file);
        assertEquals(map.rows() * map.cols(), cells(svg).size());
        String text = svg.getDocumentElement().getTextContent();
        assertTrue(text.contains("model: random-gpt2-tiny"), text);
        assertTrue(text.contains("layer 0  \u00b7  head 2  \u00b7  stage " + SCORES), text);
        assertTrue(text.contains("colour scale: diverging"), text);
        int masked = 0;
        for (Element e : cells(svg)) {
            masked += e.getAttribute("fill").equals("url(#masked)") ? 1 : 0;
        }
        assertEquals(map.masked(), masked, "masked cells are hatched, not coloured");
        assertTrue(map.masked() > 0);
    }

    @Test
    void largeMapsArePooledAndSaySo() throws Exception {
        int n = 600;
        float[] v = new float[n * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 7919 % 1000) / 1000f;
        }
        List<String> labels = Stream.iterate(0, i -> i + 1).limit(n).map(String::valueOf).toList();
        Heatmap map = Heatmap.of(PATTERN, 0, 1, n, n, v, labels, labels);
        Path file = service.heatmapSvg(map, Caption.of("synthetic", ""), dir.resolve("big.svg"), false).get(60, TimeUnit.SECONDS);
        Document svg = parse(file);
        assertEquals(200 * 200, cells(svg).size(), "600 cells a side max-pooled by 3");
        assertTrue(svg.getDocumentElement().getTextContent().contains("maximum of 3 x 3 cells"));
    }

    @Test
    void panelSvgEmbedsTheSnapshotAndSetsTheCaptionAsText() throws Exception {
        Path file = onFx(() -> service.svg(mapView, 2, Caption.of("m", "p").withStage(PATTERN), dir.resolve("panel.svg"), false));
        Document svg = parse(file);
        Element image = (Element) svg.getElementsByTagName("image").item(0);
        assertEquals("400", image.getAttribute("width"));
        assertTrue(image.getAttribute("xlink:href").startsWith("data:image/png;base64,"));
        assertTrue(svg.getDocumentElement().getTextContent().contains("stage " + PATTERN));
    }

    @Test
    void existingFilesAreNeverReplacedWithoutTheFlag() throws Exception {
        Path target = dir.resolve("t.csv");
        Files.writeString(target, "keep me");
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> service.tensor(scores, target, false).get(30, TimeUnit.SECONDS));
        assertInstanceOf(FileAlreadyExistsException.class, refused.getCause());
        assertEquals("keep me", Files.readString(target));
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.write(target, false, f -> Files.writeString(f, "x")));
        assertEquals("keep me", Files.readString(target));
        service.tensor(scores, target, true).get(30, TimeUnit.SECONDS);
        assertTrue(Files.readString(target).startsWith("# hook: " + SCORES));
        ExecutionException png = assertThrows(ExecutionException.class,
                () -> onFx(() -> service.png(mapView, 1, null, target, false)));
        assertInstanceOf(FileAlreadyExistsException.class, png.getCause());
        assertNoTempFiles();
    }

    @Test
    void askingFlowReplacesOnlyAfterAYes() throws Exception {
        Path target = dir.resolve("asked.json");
        Files.writeString(target, "old");
        List<Path> asked = new ArrayList<>();
        for (boolean answer : new boolean[] {false, true}) {
            CompletableFuture<Path> done = new CompletableFuture<>();
            robot.interact(() -> ExportDialogs.exportAsking(target,
                    overwrite -> service.tensor(scores, target, overwrite),
                    path -> {
                        asked.add(path);
                        if (!answer) {
                            done.complete(null);
                        }
                        return answer;
                    },
                    done::complete, done::completeExceptionally));
            Path result = done.get(30, TimeUnit.SECONDS);
            WaitForAsyncUtils.waitForFxEvents();
            if (answer) {
                assertEquals(target.toAbsolutePath(), result);
                assertTrue(Files.readString(target).startsWith("{\"hook\":\"" + SCORES + "\""));
            } else {
                assertEquals("old", Files.readString(target), "a no leaves the file alone");
            }
        }
        assertEquals(List.of(target, target), asked);
    }

    @Test
    void aFailedWriteLeavesNoTemporaryFile() {
        Path target = dir.resolve("fails.bin");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, false, f -> {
            Files.writeString(f, "half");
            throw new IOException("disk full");
        }));
        assertTrue(Files.notExists(target));
        assertNoTempFiles();
    }

    private void assertNoTempFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> temp = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part") || n.endsWith(".tmp")).toList();
            assertEquals(List.of(), temp);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private <T> T onFx(java.util.concurrent.Callable<CompletableFuture<T>> start) throws Exception {
        CompletableFuture<T> f = WaitForAsyncUtils.asyncFx(start).get(10, TimeUnit.SECONDS);
        return f.get(60, TimeUnit.SECONDS);
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    private static List<Element> cells(Document svg) {
        NodeList rects = svg.getElementsByTagName("rect");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").equals("cell")) {
                out.add(e);
            }
        }
        return out;
    }
}
