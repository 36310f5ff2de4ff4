package dev.attnstudio.app.main;

import dev.attnstudio.samples.ModelSource;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.List;

/** The models opened before, most recent first, at most {@link #MAX_RECENT}; kept in a {@link SettingsStore}. */
final class RecentModels {

    /** How many models File > Recent models remembers. */
    static final int MAX_RECENT = 8;
    static final String RECENT_KEY = "recentModels";

    private final SettingsStore settings;
    private final ObservableList<ModelSource> recent = FXCollections.observableArrayList();
    // One wrapper, held here: a wrapper made per call would be collected and its listeners go silent.
    private final ObservableList<ModelSource> recentView = FXCollections.unmodifiableObservableList(recent);

    RecentModels(SettingsStore settings) {
        this.settings = settings;
    }

    /** The list (read-only). */
    ObservableList<ModelSource> list() {
        return recentView;
    }

    /**
     * Reads the stored list, dropping lines that are no longer models and models that are no longer there.
     *
     * @return the labels of the models dropped because they are gone (the pruned list is saved)
     */
    List<String> restore() {
        List<String> gone = new ArrayList<>();
        for (String line : settings.get(RECENT_KEY, "").split("\n")) {
            ModelSource source = line.isBlank() ? null : ModelSource.parse(line.strip());
            if (source == null || recent.contains(source) || recent.size() >= MAX_RECENT) {
                continue;
            }
            if (source.exists()) {
                recent.add(source);
            } else {
                gone.add(source.label());
            }
        }
        if (!gone.isEmpty()) {
            save();
        }
        return gone;
    }

    /** Puts a model at the top of the list. */
    void remember(ModelSource source) {
        recent.remove(source);
        recent.add(0, source);
        if (recent.size() > MAX_RECENT) {
            recent.remove(MAX_RECENT, recent.size());
        }
        save();
    }

    void forget(ModelSource source) {
        recent.remove(source);
        save();
    }

    private void save() {
        settings.put(RECENT_KEY, String.join("\n", recent.stream().map(ModelSource::encode).toList()));
    }
}
