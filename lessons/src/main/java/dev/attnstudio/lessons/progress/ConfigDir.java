package dev.attnstudio.lessons.progress;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The user's configuration folder for Attention Studio: {@code $XDG_CONFIG_HOME/attention-studio} when that variable
 * holds an absolute path (as the XDG base-directory specification asks), else the platform's place: Windows
 * {@code %APPDATA%\attention-studio}, macOS {@code ~/Library/Application Support/attention-studio}, elsewhere
 * {@code ~/.config/attention-studio}.
 */
public final class ConfigDir {

    public static final String NAME = "attention-studio";

    private ConfigDir() {
    }

    /** The folder for this user, from the real environment. */
    public static Path forUser() {
        return resolve(System.getenv(), System.getProperty("os.name", ""), System.getProperty("user.home", "."));
    }

    /** The folder from an environment, an OS name and a home folder (testable without touching the real ones). */
    public static Path resolve(Map<String, String> env, String osName, String home) {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, NAME);
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String appData = env.get("APPDATA");
            return appData != null && !appData.isBlank() ? Path.of(appData, NAME)
                    : Path.of(home, "AppData", "Roaming", NAME);
        }
        if (os.startsWith("mac")) {
            return Path.of(home, "Library", "Application Support", NAME);
        }
        return Path.of(home, ".config", NAME);
    }
}
