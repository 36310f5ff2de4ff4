package dev.attnstudio.app;

import dev.attnstudio.app.main.MainView;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.views.ViewRegistry;
import dev.attnstudio.engine.runtime.DjlRuntime;
import org.testfx.api.FxToolkit;

/**
 * The real window for UI tests in other packages: the app over the bundled samples with in-memory settings (the
 * user's preferences are never read or written), and its view model and view, which the app keeps package-private.
 */
public final class AppHarness {

    private final AttentionStudioApp app;

    private AppHarness(AttentionStudioApp app) {
        this.app = app;
    }

    /** Starts the app on the primary stage (headless Monocle under surefire); it opens the default sample. */
    public static AppHarness start() throws Exception {
        return start(StudioViews.all());
    }

    /** As {@link #start()}, with other views in the tabs. */
    public static AppHarness start(ViewRegistry views) throws Exception {
        FxToolkit.registerPrimaryStage();
        return new AppHarness((AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(
                ModelOpener.standard(DjlRuntime.DeviceChoice.CPU), SettingsStore.inMemory(), views)));
    }

    public MainViewModel viewModel() {
        return app.viewModel();
    }

    public MainView view() {
        return app.view();
    }

    /** Stops the app and closes its stages. */
    public void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }
}
