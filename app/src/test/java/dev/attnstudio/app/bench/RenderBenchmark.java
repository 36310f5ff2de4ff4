package dev.attnstudio.app.bench;

import dev.attnstudio.app.attention.AttentionGridData;
import dev.attnstudio.app.attention.AttentionGridView;
import dev.attnstudio.app.attention.AttentionMapView;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.HeadDetailView;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.ExportService;
import dev.attnstudio.app.export.Figure;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.layout.Region;
import javafx.stage.Stage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Render benchmark of issue 5, three figures. The attention views run on real engine output of a random GPT-2
 * with 12 layers x 12 heads (d_model 96): the overview grid of all 144 heads at 256 tokens, and one 1024 x 1024
 * head enlarged. Each iteration hands the view new data (alternating two heads or two passes, so every draw is a
 * full redraw) and times, on the FX thread:
 * <ul>
 *   <li><b>draw</b>: setting the data, which pools the visible window, colours the pixels, writes them into the
 *   view's WritableImage and issues the canvas commands (what the FX thread spends before the next pulse);</li>
 *   <li><b>draw + raster</b>: the same followed by {@code Node.snapshot}, which makes Prism's software pipeline
 *   rasterize the whole view (an upper bound for a frame: on screen the GPU pipeline does this part).</li>
 * </ul>
 * The third figure is the PNG export of a 2048 x 2048 map (one pixel per cell, scale 1, with its caption) through
 * {@link ExportService}, as the app does it: the map drawn again as its export figure and snapshotted on the FX
 * thread, then encoding and the atomic write on the export thread; timed from the call to the written file.
 * Targets (issue 5), warm: grid &lt; 100 ms, one 1024 x 1024 head &lt; 50 ms, PNG export &lt; 500 ms.
 *
 * <p>Run headless on Monocle, from a fresh clone (no {@code mvn install}: one reactor build compiles the modules
 * and the class path names their target/classes folders, never a module jar from ~/.m2):
 * <pre>
 * app/bench.sh
 * </pre>
 * It sets the Monocle headless properties itself (glass.platform=Monocle, monocle.platform=Headless,
 * prism.order=sw, a 1920x1200 headless screen) unless they are given on the command line.
 */
public final class RenderBenchmark {

    private static final int WARMUP = 10;
    private static final int RUNS = 40;
    private static final int EXPORT_SIZE = 2048;
    private static final int EXPORT_WARMUP = 3;
    private static final int EXPORT_RUNS = 10;

    private RenderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("glass.platform", System.getProperty("glass.platform", "Monocle"));
        System.setProperty("monocle.platform", System.getProperty("monocle.platform", "Headless"));
        System.setProperty("prism.order", System.getProperty("prism.order", "sw"));
        System.setProperty("java.awt.headless", "true");
        System.setProperty("headless.geometry", System.getProperty("headless.geometry", "1920x1200-32")); // room for 1000x900

        ModelConfig config = new ModelConfig(12, 12, 96, 1100, 256, 1e-5, ModelConfig.Activation.GELU_NEW);
        Tokenizer bytes = Tokenizer.fromJson(ByteLevelVocab.tokenizerJson(), "byte-level tokenizer.json");
        String text = "Every head of every layer, drawn at once, must stay quick to redraw. ".repeat(20);
        AttentionGridData[] grids = new AttentionGridData[2];
        StageData[] heads = new StageData[2];
        try (LoadedModel model = LoadedModel.of("bench-12x12", config, RandomGpt2.tensors(config, 11, 0.3f), bytes,
                DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            for (int i = 0; i < 2; i++) {
                long[] ids = bytes.encode(text.substring(i, i + 256)).ids();
                stepper.reset(ids);
                stepper.runToEnd();
                grids[i] = AttentionGridData.from(stepper, labels(bytes, ids));
            }
            long[] ids = bytes.encode(text.substring(0, 1024)).ids();
            stepper.reset(ids);
            stepper.runTo("blocks.0.attn.hook_pattern");
            List<String> labels = labels(bytes, ids);
            heads[0] = StageData.from(stepper, 0, 0, labels);
            heads[1] = StageData.from(stepper, 0, 1, labels);
        }
        System.out.printf(Locale.ROOT, "data: grid %d layers x %d heads at %d tokens; head %d x %d%n",
                grids[0].layers(), grids[0].heads(), grids[0].rows(), heads[0].pattern().rows(), heads[0].pattern().cols());

        CompletableFuture<Void> started = new CompletableFuture<>();
        Platform.startup(() -> started.complete(null));
        started.get(30, TimeUnit.SECONDS);
        Platform.setImplicitExit(false); // closing the grid's window must not end the toolkit

        AttentionGridView grid = onFx(AttentionGridView::new);
        Stage gridStage = show(grid, 1000, 900);
        bench("overview grid 12x12 heads, 256 tokens, 1000x900 px", grid, i -> grid.setData(grids[i % 2]),
                () -> String.format(Locale.ROOT, "thumbnails %d px, %s-pooled %dx%d", (int) grid.thumbnailSize(),
                        "max", grid.poolingFactor(), grid.poolingFactor()));
        onFx(() -> {
            gridStage.close();
            return null;
        });

        HeadDetailView head = onFx(HeadDetailView::new);
        show(head, 900, 900);
        bench("one head 1024x1024, 900x900 px", head, i -> head.setData(heads[i % 2]),
                () -> head.map().poolingText());

        exportPng();
        Platform.exit();
    }

    private static void bench(String what, Region view, Consumer<Integer> update, java.util.function.Supplier<String> detail)
            throws Exception {
        double[] draw = new double[RUNS];
        double[] frame = new double[RUNS];
        for (int i = 0; i < WARMUP + RUNS; i++) {
            int n = i;
            double[] times = onFx(() -> {
                long t0 = System.nanoTime();
                update.accept(n);
                long t1 = System.nanoTime();
                view.snapshot(null, null);
                long t2 = System.nanoTime();
                return new double[] {(t1 - t0) / 1e6, (t2 - t0) / 1e6};
            });
            if (i >= WARMUP) {
                draw[i - WARMUP] = times[0];
                frame[i - WARMUP] = times[1];
            }
        }
        System.out.printf(Locale.ROOT, "%-52s draw median %6.1f ms  p95 %6.1f ms   draw+raster median %6.1f ms  p95 %6.1f ms   (%s)%n",
                what, percentile(draw, 50), percentile(draw, 95), percentile(frame, 50), percentile(frame, 95), onFx(detail::get));
    }

    /** PNG export of a 2048 x 2048 map at scale 1 with its caption: call on the FX thread to file written. */
    private static void exportPng() throws Exception {
        Heatmap map = attentionLike(EXPORT_SIZE);
        // a map without axis labels, one pixel per cell, and its legend below (60 px)
        int height = EXPORT_SIZE + 60;
        AttentionMapView view = onFx(() -> {
            AttentionMapView v = new AttentionMapView(new AttentionSettings(), false);
            Scene scene = new Scene(v, EXPORT_SIZE, height); // never shown: the headless screen is smaller than the map
            scene.getStylesheets().add(Styles.stylesheet());
            v.resize(EXPORT_SIZE, height);
            v.setMatrix(AttentionMatrix.of(map.name(), "softmax", AttentionMatrix.Kind.WEIGHTS, map.rows(), map.cols(),
                    map.values(), map.rowLabels(), map.colLabels()));
            v.layout();
            return v;
        });
        if (onFx(view::poolingFactor) != 1) {
            throw new IllegalStateException("the export map is pooled: " + onFx(view::poolingText));
        }
        Path dir = Files.createTempDirectory("export-bench");
        Path file = dir.resolve("map.png");
        Caption caption = Caption.forHeatmap("synthetic", EXPORT_SIZE + " tokens", map);
        double[] total = new double[EXPORT_RUNS];
        double[] fxThread = new double[EXPORT_RUNS];
        try (ExportService service = new ExportService()) {
            for (int i = 0; i < EXPORT_WARMUP + EXPORT_RUNS; i++) {
                long t0 = System.nanoTime();
                double[] fx = new double[1];
                CompletableFuture<Path> written = onFx(() -> {
                    long s = System.nanoTime();
                    // as File > Export does it: the map drawn again for the export (its figure), then snapshotted
                    CompletableFuture<Path> f = service.png(Figure.image(view.renderFigure(1), 1), view, 1, caption, file, true);
                    fx[0] = (System.nanoTime() - s) / 1e6;
                    return f;
                });
                written.get(60, TimeUnit.SECONDS);
                if (i >= EXPORT_WARMUP) {
                    total[i - EXPORT_WARMUP] = (System.nanoTime() - t0) / 1e6;
                    fxThread[i - EXPORT_WARMUP] = fx[0];
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-52s total median %6.1f ms  p95 %6.1f ms   FX thread (figure + snapshot) median %6.1f ms   (%d bytes)%n",
                "PNG export " + EXPORT_SIZE + "x" + EXPORT_SIZE + " map, scale 1, with caption",
                percentile(total, 50), percentile(total, 95), percentile(fxThread, 50), Files.size(file));
        Files.delete(file);
        Files.delete(dir);
    }

    /** Each row a softmax-like distribution peaked near the diagonal, causal: -inf above it. */
    private static Heatmap attentionLike(int n) {
        Random random = new Random(1);
        float[] v = new float[n * n];
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < n; k++) {
                v[q * n + k] = k > q ? Float.NEGATIVE_INFINITY : (float) (Math.exp(-(q - k) / 40.0) * random.nextFloat());
            }
        }
        List<String> labels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            labels.add("t" + i);
        }
        return Heatmap.of("blocks.0.attn.hook_pattern", 0, 1, n, n, v, labels, labels);
    }

    private static double percentile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    private static List<String> labels(Tokenizer t, long[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (long id : ids) {
            out.add(t.decode(id));
        }
        return out;
    }

    private static Stage show(Region view, double w, double h) throws Exception {
        return onFx(() -> {
            Stage stage = new Stage();
            Scene scene = new Scene(view, w, h);
            scene.getStylesheets().add(Styles.stylesheet());
            stage.setScene(scene);
            stage.setX(0);
            stage.setY(0);
            stage.show();
            return stage;
        });
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(120, TimeUnit.SECONDS);
    }
}
