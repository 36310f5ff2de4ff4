package dev.attnstudio.app;

import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.app.concurrent.FxEngineExecutor;
import dev.attnstudio.app.lesson.CourseController;
import dev.attnstudio.app.main.Debouncer;
import dev.attnstudio.app.main.MainView;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.views.ViewRegistry;
import dev.attnstudio.app.watch.WatchPanel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.lessons.progress.ProgressStore;
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
    /** A system property: {@code false} keeps a first start from offering the course (scripts). */
    public static final String COURSE_OFFER = "attnstudio.courseOffer";
    /**
     * How long the typing must pause before the prompt is tokenized and the pass starts over: shorter than the pause
     * between words, longer than between the keys of a word.
     */
    static final Duration TYPING_PAUSE = Duration.millis(150);

    private final ModelOpener opener;
    private final SettingsStore settings;
    private final ViewRegistry views;
    /** Where the student's lesson progress is kept; null for the user's configuration folder. */
    private final ProgressStore progress;
    /** Whether a first start offers the course (the user's own start; tests and scripts are not offered it). */
    private final boolean offerCourse;
    private CourseController course;
    private EngineExecutor engine;
    private MainViewModel viewModel;
    private MainView view;

    /** The app over the bundled samples and folders, remembering its settings in the user's preferences. */
    public AttentionStudioApp() {
        this(ModelOpener.samples(), null, StudioViews.all(), null, true);
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
        this(opener, settings, views, null, false);
    }

    /** As above, the student's lesson progress kept in {@code progress} (tests), offering the course or not. */
    AttentionStudioApp(ModelOpener opener, SettingsStore settings, ViewRegistry views, ProgressStore progress,
                       boolean offerCourse) {
        this.opener = opener;
        this.settings = settings;
        this.views = views;
        this.progress = progress;
        this.offerCourse = offerCourse;
    }

    public static void main(String[] args) {
        DjlRuntime.forceOffline(); // before anything can touch DJL: no downloads, no telemetry
        DjlRuntime.useAvailableCores();
        launch(AttentionStudioApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        DjlRuntime.forceOffline(); // also when started by a launcher or test harness instead of main()
        DjlRuntime.useAvailableCores(); // PyTorch's threads: as many as this process may use
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

        ProgressStore store = progress != null ? progress : ProgressStore.forUser();
        course = new CourseController(viewModel, view, store);
        course.install(offerCourse && !"false".equals(System.getProperty(COURSE_OFFER)), store);
        view.addSidePane(new WatchPanel(viewModel));

        String lesson = getParameters() == null ? null : getParameters().getNamed().get("lesson");
        if (lesson != null && !lesson.isBlank() && openLesson(lesson)) {
            return;
        }
        String model = getParameters() == null ? null : getParameters().getNamed().get("model");
        if (model == null || model.isBlank()) {
            viewModel.session().openSample(SampleModels.defaultSample().name());
        } else if (SampleModels.find(model).isPresent()) {
            viewModel.session().openSample(model);
        } else {
            viewModel.session().openFolder(Path.of(model));
        }
    }

    /** {@code --lesson=ID[:PAGE]} (pages from 1): opens the course there; false (with a message) when there is none. */
    private boolean openLesson(String spec) {
        int colon = spec.lastIndexOf(':');
        String id = colon < 0 ? spec : spec.substring(0, colon);
        int page = 0;
        if (colon >= 0) {
            try {
                page = Integer.parseInt(spec.substring(colon + 1).strip()) - 1;
            } catch (NumberFormatException e) {
                page = 0;
            }
        }
        if (course.open(id.strip(), page)) {
            return true;
        }
        System.err.println("--lesson: the course has no lesson " + id + "; opening the window without it");
        return false;
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

    /** The course in the window (for UI tests). */
    CourseController course() {
        return course;
    }

    /** The window's view (for UI tests). */
    MainView view() {
        return view;
    }
}
