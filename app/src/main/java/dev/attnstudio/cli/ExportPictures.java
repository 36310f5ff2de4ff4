package dev.attnstudio.cli;

import dev.attnstudio.app.attention.AttentionMapView;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.export.AtomicFiles;
import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.Figure;
import dev.attnstudio.app.export.Picture;
import dev.attnstudio.app.export.PngEncoder;
import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.theme.Styles;
import javafx.application.Platform;
import javafx.scene.Group;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The PNGs of {@code attn-studio export}: each head's map drawn by the app's own {@link AttentionMapView} (labels,
 * legend) offscreen, with the caption under it, as File > Export draws it. Starts the JavaFX toolkit once; with no
 * display it runs headless through Monocle and the software renderer when Monocle is on the class path.
 */
final class ExportPictures {

    /** The map's side in points: the app's default map size, larger for long prompts. */
    private static final double MIN_SIDE = 420;
    private static final double MAX_SIDE = 1400;
    private static final double POINTS_PER_TOKEN = 14;
    private static final String MONOCLE = "com.sun.glass.ui.monocle.MonoclePlatformFactory";
    private static volatile boolean started;

    private ExportPictures() {
    }

    /** Starts the toolkit (headless when there is no display), or says why it cannot. */
    static synchronized ExportPictures start() {
        if (!started) {
            boolean display = System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null
                    || System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).matches("(mac|win).*");
            if ((!display || Boolean.getBoolean("attnstudio.headless")) && System.getProperty("glass.platform") == null) {
                if (!monoclePresent()) {
                    throw new IllegalStateException("--format png draws with JavaFX, which needs a display, and none is "
                            + "set (DISPLAY) and Monocle is not on the class path; run under xvfb-run, or export svg, npy or json");
                }
                System.setProperty("glass.platform", "Monocle");
                System.setProperty("monocle.platform", "Headless");
                System.setProperty("prism.order", "sw");
                System.setProperty("headless.geometry", "1920x1200-32");
            }
            CompletableFuture<Void> up = new CompletableFuture<>();
            try {
                Platform.startup(() -> up.complete(null));
                up.get(30, TimeUnit.SECONDS);
            } catch (IllegalStateException e) {
                // already running (inside the app or a test): fine
            } catch (RuntimeException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException("--format png could not start JavaFX (" + e.getMessage()
                        + "); export svg, npy or json, or run under xvfb-run", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting JavaFX", e);
            }
            Platform.setImplicitExit(false);
            started = true;
        }
        return new ExportPictures();
    }

    private static boolean monoclePresent() {
        try {
            Class.forName(MONOCLE, false, ExportPictures.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Draws one head's map with its caption and writes it as PNG; returns {width, height} in pixels. */
    int[] png(Heatmap map, String stage, Caption caption, double scale, Path file) throws IOException {
        CompletableFuture<Picture.Pixels> drawn = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                drawn.complete(draw(map, stage, caption, scale));
            } catch (RuntimeException e) {
                drawn.completeExceptionally(e);
            }
        });
        Picture.Pixels p;
        try {
            p = drawn.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("drawing " + file.getFileName() + " took over a minute");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        AtomicFiles.write(file, true, f -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
                PngEncoder.write(out, p.width(), p.height(), p.argb());
            }
        });
        return new int[] {p.width(), p.height()};
    }

    /** On the FX thread: the map view laid out offscreen, drawn at {@code scale}, with the caption under it. */
    private static Picture.Pixels draw(Heatmap map, String stage, Caption caption, double scale) {
        AttentionMapView view = new AttentionMapView(new AttentionSettings(), false);
        view.setMatrix(AttentionMatrix.of(map.name(), "", stage.equals("pattern") ? AttentionMatrix.Kind.WEIGHTS
                : AttentionMatrix.Kind.SCORES, map.rows(), map.cols(), map.values(), map.rowLabels(), map.colLabels()));
        view.setAxisLabels(true);
        view.titleProperty().set("L" + caption.layer() + " H" + caption.head() + " " + stage);
        double side = Math.max(MIN_SIDE, Math.min(MAX_SIDE, POINTS_PER_TOKEN * Math.max(map.rows(), map.cols()) + 160));
        Scene scene = new Scene(new Group(view), side, side);
        scene.getStylesheets().add(Styles.stylesheet());
        view.applyCss();
        view.resize(side, side);
        view.layout();
        view.redraw();
        WritableImage image = view.renderFigure(scale);
        if (image == null) {
            throw new IllegalStateException("the map of " + map.name() + " drew nothing");
        }
        return Picture.take(Figure.image(image, scale), view, scale, caption).pixels();
    }
}
