package dev.attnstudio.app.export;

import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.heatmap.HeatmapView;
import javafx.application.Platform;
import javafx.scene.Scene;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Times the PNG export of a 2048 x 2048 attention map (one pixel per cell, scale 1, with its caption): the
 * snapshot on the FX thread, then encoding and the atomic write on the export thread, as the app does it.
 * Prints the median and best of warm runs (the first runs warm up the JIT and are not counted). Target:
 * under 500 ms warm. Headless (Monocle, software rendering), so it runs without a display.
 *
 * <p>Run (after {@code mvn -q -B install -DskipTests}, which puts the modules where a single-module run finds them):
 * <pre>
 * mvn -q -B -pl app test-compile exec:java -Dexec.mainClass=dev.attnstudio.app.export.ExportBenchmark \
 *     -Dexec.classpathScope=test
 * </pre>
 */
public final class ExportBenchmark {

    private static final int SIZE = 2048;
    private static final int WARM_UP = 3;
    private static final int RUNS = 10;

    public static void main(String[] args) throws Exception {
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();

        Heatmap map = attentionLike(SIZE);
        AtomicReference<HeatmapView> view = new AtomicReference<>();
        onFx(() -> {
            HeatmapView v = new HeatmapView();
            new Scene(v, SIZE, SIZE); // never shown: the headless screen is smaller than the map
            v.resize(SIZE, SIZE);
            v.setHeatmap(map);
            v.layout();
            view.set(v);
        });
        Path dir = Files.createTempDirectory("export-bench");
        Path file = dir.resolve("map.png");
        Caption caption = Caption.forHeatmap("synthetic", "2048 tokens", map);
        List<Double> totals = new ArrayList<>();
        List<Double> snapshots = new ArrayList<>();
        try (ExportService service = new ExportService()) {
            for (int run = 0; run < WARM_UP + RUNS; run++) {
                AtomicReference<CompletableFuture<Path>> pending = new AtomicReference<>();
                AtomicLong fxNanos = new AtomicLong();
                long start = System.nanoTime();
                onFx(() -> {
                    long s = System.nanoTime();
                    pending.set(service.png(view.get(), 1, caption, file, true));
                    fxNanos.set(System.nanoTime() - s);
                });
                pending.get().get(60, TimeUnit.SECONDS);
                double total = (System.nanoTime() - start) / 1e6;
                if (run >= WARM_UP) {
                    totals.add(total);
                    snapshots.add(fxNanos.get() / 1e6);
                }
            }
        }
        System.out.printf(Locale.ROOT, "PNG export of a %dx%d map (scale 1, with caption), %d warm runs:%n", SIZE, SIZE, RUNS);
        System.out.printf(Locale.ROOT, "  total     median %7.1f ms   best %7.1f ms   (target < 500 ms)%n", median(totals),
                Collections.min(totals));
        System.out.printf(Locale.ROOT, "  FX thread median %7.1f ms   (snapshot; encoding and writing run off it)%n", median(snapshots));
        System.out.printf(Locale.ROOT, "  file      %d bytes%n", Files.size(file));
        Files.delete(file);
        Files.delete(dir);
        Platform.exit();
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
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels.add("t" + i);
        }
        return Heatmap.of("blocks.0.attn.hook_pattern", 0, 1, n, n, v, labels, labels);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static void onFx(Runnable r) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Platform.runLater(() -> {
            try {
                r.run();
            } finally {
                done.countDown();
            }
        });
        done.await();
    }
}
