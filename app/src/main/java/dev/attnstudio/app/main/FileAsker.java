package dev.attnstudio.app.main;

import javafx.stage.DirectoryChooser;
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

    /** A save dialog in the user's home, then in the folder of the last file saved (for this run only). */
    static FileAsker chooser() {
        return chooser(new DialogFolders(SettingsStore.inMemory()));
    }

    /** A save dialog that opens where {@code folders} says and tells it where the file went. */
    static FileAsker chooser(DialogFolders folders) {
        return (owner, title, suggested, extensions) -> {
            File file = saveChooser(title, suggested, extensions, folders).showSaveDialog(owner);
            if (file == null) {
                return null;
            }
            folders.remember(file.toPath().getParent());
            return file.toPath();
        };
    }

    /** The save dialog, not shown yet: its title, file name, extensions and first folder. */
    static FileChooser saveChooser(String title, String suggested, List<String> extensions, DialogFolders folders) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.setInitialFileName(suggested);
        Path start = folders.start();
        if (start != null) {
            chooser.setInitialDirectory(start.toFile());
        }
        for (String ext : extensions) {
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("." + ext, "*." + ext));
        }
        return chooser;
    }

    /** A folder dialog (File > Open model folder), not shown yet, opening where {@code folders} says. */
    static DirectoryChooser folderChooser(String title, DialogFolders folders) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle(title);
        Path start = folders.start();
        if (start != null) {
            chooser.setInitialDirectory(start.toFile());
        }
        return chooser;
    }
}
