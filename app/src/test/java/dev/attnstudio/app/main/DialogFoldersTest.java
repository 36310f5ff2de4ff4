package dev.attnstudio.app.main;

import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The file dialogs open in the folder chosen last (remembered across runs), else in the home; never in the working directory. */
class DialogFoldersTest {

    @Test
    void theFirstDialogOpensInTheHome(@TempDir Path home) {
        DialogFolders folders = new DialogFolders(SettingsStore.inMemory(), home);
        assertEquals(home, folders.start());
        FileChooser save = FileAsker.saveChooser("Export", "head.png", List.of("png"), folders);
        assertEquals(home.toFile(), save.getInitialDirectory());
        assertEquals("head.png", save.getInitialFileName());
        DirectoryChooser open = FileAsker.folderChooser("Open model folder", folders);
        assertEquals(home.toFile(), open.getInitialDirectory());
    }

    @Test
    void withoutAnArgumentTheHomeIsTheUsers() {
        FileChooser save = FileAsker.saveChooser("Export", "x.npy", List.of("npy"), new DialogFolders(SettingsStore.inMemory()));
        assertEquals(new File(System.getProperty("user.home")), save.getInitialDirectory());
    }

    @Test
    void laterDialogsOpenInTheLastFolderChosenAcrossRuns(@TempDir Path home) throws Exception {
        SettingsStore settings = SettingsStore.inMemory();
        Path models = Files.createDirectories(home.resolve("models"));
        new DialogFolders(settings, home).remember(models);

        DialogFolders nextRun = new DialogFolders(settings, home);
        assertEquals(models, nextRun.start());
        assertEquals(models.toFile(), FileAsker.folderChooser("Open model folder", nextRun).getInitialDirectory());
        assertEquals(models.toFile(), FileAsker.saveChooser("Export", "a.svg", List.of("svg"), nextRun).getInitialDirectory());

        Files.delete(models);
        assertEquals(home, nextRun.start(), "a folder that is gone falls back to the home");
        assertNull(new DialogFolders(SettingsStore.inMemory(), home.resolve("no-such-home")).start(),
                "no home either: the system's own choice");
    }
}
