package dev.attnstudio.app.main;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where the file dialogs open (File ▸ Open model folder, File ▸ Export): the folder last chosen in any of them, else
 * the user's home, never the directory the app happened to be started from. Remembered across runs in a
 * {@link SettingsStore}.
 */
public final class DialogFolders {

    static final String LAST_FOLDER_KEY = "lastFolder";

    private final SettingsStore settings;
    private final Path home;

    DialogFolders(SettingsStore settings) {
        this(settings, homeOf(System.getProperty("user.home")));
    }

    /** @param home the user's home, or null when there is none */
    DialogFolders(SettingsStore settings, Path home) {
        this.settings = settings;
        this.home = home;
    }

    /** The folder a dialog opens in: the last one chosen while it still exists, else the home, else null (the system's). */
    public Path start() {
        Path last = homeOf(settings.get(LAST_FOLDER_KEY, ""));
        if (last != null && Files.isDirectory(last)) {
            return last;
        }
        return home != null && Files.isDirectory(home) ? home : null;
    }

    /** A dialog chose {@code folder}: the next one opens there. */
    public void remember(Path folder) {
        if (folder != null) {
            settings.put(LAST_FOLDER_KEY, folder.toAbsolutePath().normalize().toString());
        }
    }

    private static Path homeOf(String path) {
        if (path == null || path.isBlank()) {
            return null;
        }
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
