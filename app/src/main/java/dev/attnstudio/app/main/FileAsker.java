package dev.attnstudio.app.main;

import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

/**
 * Asks where to save a file. The window asks with a {@link FileChooser}; tests put in their own answer, since a
 * native save dialog cannot be driven headless.
 */
@FunctionalInterface
public interface FileAsker {

    /**
     * @param title      the dialog's title
     * @param suggested  the file name offered
     * @param extensions what may be chosen, e.g. {@code ["png"]} or {@code ["npy", "csv", "json"]}, first = default
     * @return the chosen file, or null when the user cancelled
     */
    Path ask(Window owner, String title, String suggested, List<String> extensions);

    /** A save dialog in the directory of the last export (the user's home at first). */
    static FileAsker chooser() {
        File[] last = {null};
        return (owner, title, suggested, extensions) -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle(title);
            chooser.setInitialFileName(suggested);
            if (last[0] != null && last[0].isDirectory()) {
                chooser.setInitialDirectory(last[0]);
            }
            for (String ext : extensions) {
                chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("." + ext, "*." + ext));
            }
            File file = chooser.showSaveDialog(owner);
            if (file == null) {
                return null;
            }
            last[0] = file.getParentFile();
            return file.toPath();
        };
    }
}
