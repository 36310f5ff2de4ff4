package dev.attnstudio.app.export;

import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.engine.step.TensorData;
import javafx.application.Platform;
import javafx.scene.Node;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Exports what the app shows: any view to PNG (at a chosen scale factor) or SVG, with a caption; heatmaps to
 * vector SVG; tensors to .npy, .csv and .json. Every file is written atomically and an existing file is only
 * replaced when {@code overwrite} is true; otherwise the future fails with a
 * {@link java.nio.file.FileAlreadyExistsException} (see {@link ExportDialogs#exportAsking} for the ask-then-retry
 * flow).
 *
 * <p>Threads: view exports must be started on the FX thread, which takes only the snapshot; encoding and
 * writing run on this service's own background thread, as do the map and tensor exports. The futures
 * complete on that thread: continue with {@code whenCompleteAsync(handler, Platform::runLater)} to touch the UI.
 * Plain data in, so nothing here touches the engine.
 */
public final class ExportService implements AutoCloseable {

    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "attn-export");
        t.setDaemon(true);
        return t;
    });

    /**
     * A view as PNG: its layout bounds at {@code scale} pixels per unit, the caption (null: none) set under it.
     * Call on the FX thread.
     */
    public CompletableFuture<Path> png(Node node, double scale, Caption caption, Path target, boolean overwrite) {
        return png(node, node, scale, caption, target, overwrite);
    }

    /**
     * A node as PNG in the styles of {@code styleSource}: a {@link Figure}'s rendering (in no scene) or a view
     * itself, at {@code scale} pixels per unit, the caption (null: none) set under it. Call on the FX thread.
     */
    public CompletableFuture<Path> png(Node node, Node styleSource, double scale, Caption caption, Path target, boolean overwrite) {
        Picture picture = snapshot(node, styleSource, scale, caption);
        return run(() -> AtomicFiles.write(target, overwrite, f -> writePng(picture.pixels(), f)));
    }

    /**
     * A view as SVG: its PNG snapshot at {@code scale} embedded as an image, the caption as vector text. For a
     * heatmap prefer {@link #heatmapSvg}, which draws every cell as a vector. Call on the FX thread.
     */
    public CompletableFuture<Path> svg(Node node, double scale, Caption caption, Path target, boolean overwrite) {
        return svg(node, node, scale, caption, target, overwrite);
    }

    /** As {@link #svg(Node, double, Caption, Path, boolean)}, in the styles of {@code styleSource} (see {@link #png}). */
    public CompletableFuture<Path> svg(Node node, Node styleSource, double scale, Caption caption, Path target, boolean overwrite) {
        Picture picture = snapshot(node, styleSource, scale, null); // the caption goes in as text
        return run(() -> AtomicFiles.write(target, overwrite, f -> writeText(f,
                Svg.panel(picture.pixels(), picture.width(), picture.height(), caption, picture.background()))));
    }

    /** One head's map as vector SVG (a rect per cell, max-pooled above {@value Svg#MAX_SIDE} a side). Any thread. */
    public CompletableFuture<Path> heatmapSvg(Heatmap map, Caption caption, Path target, boolean overwrite) {
        return run(() -> AtomicFiles.write(target, overwrite, f -> writeText(f, Svg.heatmap(map, caption))));
    }

    /** A tensor with its hook name, in the format its file name's extension names. Any thread. */
    public CompletableFuture<Path> tensor(TensorData tensor, Path target, boolean overwrite) {
        TensorFormat format;
        try {
            format = TensorFormat.of(target);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return tensor(tensor, format, target, overwrite);
    }

    /** A tensor with its hook name, as .npy, .csv or .json. Any thread. */
    public CompletableFuture<Path> tensor(TensorData tensor, TensorFormat format, Path target, boolean overwrite) {
        return run(() -> TensorFiles.write(tensor, format, target, overwrite));
    }

    private static Picture snapshot(Node node, Node styleSource, double scale, Caption caption) {
        if (!Platform.isFxApplicationThread()) {
            throw new IllegalStateException("a view is snapshotted on the JavaFX thread; call this from there");
        }
        return Picture.take(node, styleSource, scale, caption);
    }

    static void writePng(Picture.Pixels p, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            PngEncoder.write(out, p.width(), p.height(), p.argb());
        }
    }

    private static void writeText(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface IoWork {
        Path call() throws IOException;
    }

    private CompletableFuture<Path> run(IoWork work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.call();
            } catch (IOException e) {
                throw new CompletionException(e);
            } catch (UncheckedIOException e) {
                throw new CompletionException(e.getCause());
            }
        }, background);
    }

    /** Lets queued exports finish, then stops the background thread. */
    @Override
    public void close() {
        background.shutdown();
    }
}
