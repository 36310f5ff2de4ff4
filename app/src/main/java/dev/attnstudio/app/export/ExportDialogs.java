package dev.attnstudio.app.export;

import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/** The questions an export asks the user. FX thread only. */
public final class ExportDialogs {

    private ExportDialogs() {
    }

    /** Asks whether to replace an existing file; true only on an explicit "Replace". */
    public static boolean confirmOverwrite(Window owner, Path target) {
        ButtonType replace = new ButtonType("Replace", ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, "", replace, ButtonType.CANCEL);
        alert.initOwner(owner);
        alert.setTitle("Replace file?");
        alert.setHeaderText(target.getFileName() + " already exists.");
        alert.setContentText("Replace it in " + target.toAbsolutePath().getParent() + "?");
        return alert.showAndWait().filter(replace::equals).isPresent();
    }

    /**
     * Runs an export without overwriting; if the file exists, asks ({@code ask}, normally
     * {@code path -> confirmOverwrite(window, path)}) and runs it again with overwrite on a yes. The callbacks
     * run on the FX thread; a "no" reports nothing.
     *
     * @param export starts the export with the given overwrite flag; called on the FX thread (view snapshots
     *               need it), e.g. {@code overwrite -> service.png(view, 2, caption, file, overwrite)}
     */
    public static void exportAsking(Path target, Function<Boolean, CompletableFuture<Path>> export,
                                    Function<Path, Boolean> ask, Consumer<Path> done, Consumer<Throwable> failed) {
        export.apply(false).whenCompleteAsync((path, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause == null) {
                done.accept(path);
            } else if (cause instanceof FileAlreadyExistsException) {
                if (ask.apply(target)) {
                    export.apply(true).whenCompleteAsync((p, e) -> {
                        if (e == null) {
                            done.accept(p);
                        } else {
                            failed.accept(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                        }
                    }, Platform::runLater);
                }
            } else {
                failed.accept(cause);
            }
        }, Platform::runLater);
    }
}
