package dev.attnstudio.app.main;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * Where the app remembers things between runs (theme, zoom, recent models): string values by key. The app uses
 * the user's {@link Preferences}; tests use {@link #inMemory()} and never touch them.
 */
public interface SettingsStore {

    /** The stored value, or {@code fallback} when there is none. */
    String get(String key, String fallback);

    void put(String key, String value);

    /** A store that forgets everything when the program ends. */
    static SettingsStore inMemory() {
        Map<String, String> values = new ConcurrentHashMap<>();
        return new SettingsStore() {
            @Override
            public String get(String key, String fallback) {
                return values.getOrDefault(key, fallback);
            }

            @Override
            public void put(String key, String value) {
                values.put(key, value);
            }
        };
    }

    /** The user's preferences node for the app ({@code dev/attnstudio/app}); writes are flushed at once. */
    static SettingsStore userPreferences() {
        Preferences node = Preferences.userRoot().node("dev/attnstudio/app");
        System.Logger log = System.getLogger(SettingsStore.class.getName());
        return new SettingsStore() {
            @Override
            public String get(String key, String fallback) {
                return node.get(key, fallback);
            }

            @Override
            public void put(String key, String value) {
                node.put(key, value);
                try {
                    node.flush();
                } catch (BackingStoreException e) {
                    log.log(System.Logger.Level.WARNING, "cannot save the setting " + key + ": " + e.getMessage());
                }
            }
        };
    }
}
