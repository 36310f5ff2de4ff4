package dev.attnstudio.app;

import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.concurrent.FxEngineExecutor;
import dev.attnstudio.app.main.Debouncer;
import dev.attnstudio.app.main.MainView;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.views.ViewRegistry;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.SampleModels;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.util.Duration;

import java.nio.file.Path;

/**
 * Attention Studio's desktop entry point: opens the main window at once and loads a model in the background on
 * the engine thread: the default sample, or the one named by {@code --model=NAME} (a bundled sample) or
 * {@code --model=FOLDER}.
 */
public class AttentionStudioApp extends Application {

    public static final String TITLE = "Attention Studio";
    /**
     * How long the typing must pause before the prompt is tokenized and the pass starts over: shorter than the pause
     * between words, longer than between the keys of a word.
     */
    static final Duration TYPING_PAUSE = Duration.millis(150);

    private final ModelOpener opener;
    private final SettingsStore settings;
    private final ViewRegistry views;
    private EngineExecutor engine;
    private MainViewModel viewModel;
    private MainView view;

    /** The app over the bundled samples and folders, remembering its settings in the user's preferences. */
    public AttentionStudioApp() {
        this(ModelOpener.samples(), null, StudioViews.all());
    }

    /**
     * The app over other models and another settings store (tests); the first model opened is still the default
     * sample. A null store means the user's preferences, created only when the app starts.
     */
    AttentionStudioApp(ModelOpener opener, SettingsStore settings) {
        this(opener, settings, StudioViews.all());
    }

    /** As above, with other views in the tabs (tests). */
    AttentionStudioApp(ModelOpener opener, SettingsStore settings, ViewRegistry views) {
        this.opener = opener;
        this.settings = settings;
        this.views = views;
    }

    public static void main(String[] args) {
        DjlRuntime.forceOffline(); // before anything can touch DJL: no downloads, no telemetry
        launch(AttentionStudioApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        DjlRuntime.forceOffline(); // also when started by a launcher or test harness instead of main()
        engine = new FxEngineExecutor();
        viewModel = new MainViewModel(engine, opener, settings != null ? settings : SettingsStore.userPreferences(),
                Debouncer.fx(TYPING_PAUSE));
        view = new MainView(viewModel, views, Platform::exit);

        Scene scene = new Scene(view.root(), 1280, 800); // the view themes its scene
        stage.setTitle(TITLE);
        stage.setScene(scene);
        stage.setMinWidth(900);
        stage.setMinHeight(600);
        stage.setResizable(true);
        stage.show();

        String model = getParameters() == null ? null : getParameters().getNamed().get("model");
        if (model == null || model.isBlank()) {
            viewModel.session().openSample(SampleModels.defaultSample().name());
        } else if (SampleModels.find(model).isPresent()) {
            viewModel.session().openSample(model);
        } else {
            viewModel.session().openFolder(Path.of(model));
        }
    }

    @Override
    public void stop() {
        if (view != null) {
            view.close();
        }
        if (viewModel != null) {
            viewModel.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** The window's view model (for UI tests). */
    MainViewModel viewModel() {
        return viewModel;
    }

    /** The window's view (for UI tests). */
    MainView view() {
        return view;
    }
}
