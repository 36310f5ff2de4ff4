package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.theme.Theme;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.ModelSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Theme, zoom and recent models survive a restart (a new view model over the same store). */
class SettingsTest {

    /** Opens nothing: these tests are about what is remembered, not about models. */
    private static MainViewModel vm(SettingsStore store) {
        return new MainViewModel(new DirectEngineExecutor(), source -> {
            throw new IllegalStateException("not opened in this test");
        }, store);
    }

    @Test
    void themeAndZoomAreRemembered() {
        SettingsStore store = SettingsStore.inMemory();
        MainViewModel first = vm(store);
        assertEquals(Theme.LIGHT, first.preferences().themeProperty().get());
        assertEquals(1.0, first.preferences().zoomProperty().get());
        first.preferences().themeProperty().set(Theme.DARK);
        first.preferences().zoomIn();
        first.preferences().zoomIn();
        assertEquals(1.2, first.preferences().zoomProperty().get(), 1e-9);

        MainViewModel second = vm(store);
        assertEquals(Theme.DARK, second.preferences().themeProperty().get());
        assertEquals(1.2, second.preferences().zoomProperty().get(), 1e-9);
        for (int i = 0; i < 40; i++) {
            second.preferences().zoomOut();
        }
        assertEquals(PreferencesViewModel.MIN_ZOOM, second.preferences().zoomProperty().get(), 1e-9);
        second.preferences().resetZoom();
        assertEquals(1.0, second.preferences().zoomProperty().get());
    }

    @Test
    void aBrokenStoreFallsBackToDefaults() {
        SettingsStore store = SettingsStore.inMemory();
        store.put(PreferencesViewModel.THEME_KEY, "purple");
        store.put(PreferencesViewModel.ZOOM_KEY, "big");
        store.put(RecentModels.RECENT_KEY, "nonsense\nsample:random-gpt2-tiny");
        MainViewModel vm = vm(store);
        assertEquals(Theme.LIGHT, vm.preferences().themeProperty().get());
        assertEquals(1.0, vm.preferences().zoomProperty().get());
        assertEquals(List.of(new ModelSource.Sample("random-gpt2-tiny")), vm.session().recentModels());
    }

    @Test
    void recentModelsAreMostRecentFirstAtMostEightAndMissingFoldersArePruned(@TempDir Path dir) throws IOException {
        SettingsStore store = SettingsStore.inMemory();
        MainViewModel vm = new MainViewModel(new DirectEngineExecutor(),
                ModelOpener.standard(DjlRuntime.DeviceChoice.CPU), store);
        vm.session().openSample("random-gpt2-tiny");
        vm.session().openSample("induction-2l");
        vm.session().openSample("random-gpt2-tiny");
        assertEquals(List.of(new ModelSource.Sample("random-gpt2-tiny"), new ModelSource.Sample("induction-2l")),
                vm.session().recentModels());
        vm.close();

        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path folder = Files.createDirectories(dir.resolve("model-" + i));
            lines.add(new ModelSource.OnDisk(folder).encode());
        }
        Files.delete(dir.resolve("model-1"));
        store.put(RecentModels.RECENT_KEY, String.join("\n", lines));
        MainViewModel restarted = vm(store);
        assertEquals(RecentModels.MAX_RECENT, restarted.session().recentModels().size());
        assertEquals(new ModelSource.OnDisk(dir.resolve("model-0")), restarted.session().recentModels().get(0));
        assertFalse(restarted.session().recentModels().contains(new ModelSource.OnDisk(dir.resolve("model-1"))));
        assertTrue(restarted.status().messageProperty().get().text().contains("model-1"), restarted.status().messageProperty().get().text());
        assertFalse(store.get(RecentModels.RECENT_KEY, "").contains("model-1"), "the pruned list is saved");

        Path gone = dir.resolve("model-2");
        Files.delete(gone);
        restarted.session().openRecent(new ModelSource.OnDisk(gone));
        assertTrue(restarted.status().messageProperty().get().error());
        assertTrue(restarted.status().messageProperty().get().text().contains("no longer there"));
        assertFalse(restarted.session().recentModels().contains(new ModelSource.OnDisk(gone)));
    }
}
