package dev.attnstudio.app.lesson;

import dev.attnstudio.app.concurrent.Failures;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.lessons.format.Course;
import dev.attnstudio.lessons.format.ExerciseKind;
import dev.attnstudio.lessons.format.Highlight;
import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.format.LessonReader;
import dev.attnstudio.lessons.format.LessonSource;
import dev.attnstudio.lessons.format.ViewSelection;
import dev.attnstudio.lessons.grade.Response;
import dev.attnstudio.lessons.grade.Verdict;
import dev.attnstudio.lessons.probe.EngineContext;
import dev.attnstudio.lessons.progress.ExerciseProgress;
import dev.attnstudio.lessons.progress.LessonProgress;
import dev.attnstudio.lessons.progress.Progress;
import dev.attnstudio.lessons.progress.ProgressStore;
import dev.attnstudio.lessons.run.ExerciseSession;
import dev.attnstudio.lessons.run.PageRunner;
import dev.attnstudio.lessons.run.PageSession;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The course in the window: its lessons (the bundled course, then any teacher's folders), the student's progress,
 * the page open and its exercise. Opening a page runs its setup on the engine thread through the window
 * ({@link MainViewModel#lessonStage()}); grading a compute answer evaluates it there too. UI thread only.
 */
public final class CourseViewModel {

    /** What the window does for a page besides the pass: show a view with a selection, hide the views. */
    public interface Window {
        void show(ViewSelection view);

        void conceal(boolean concealed);
    }

    /** A lesson of the course and where it came from ("the course", or a teacher's folder). */
    public record Entry(Lesson lesson, String origin) {
    }

    /** The page open: its lesson and index, the attempt, and what the engine made of it. */
    public record OpenPage(int lesson, int page, int attempt, PageSession session, ViewSelection view,
                           List<Highlight> highlights, boolean concealed) {
    }

    private final MainViewModel vm;
    private final ProgressStore store;
    private Window window;
    private final ObservableList<Entry> lessons = FXCollections.observableArrayList();
    private final ObjectProperty<Progress> progress = new SimpleObjectProperty<>(this, "progress", Progress.EMPTY);
    private final ObjectProperty<OpenPage> page = new SimpleObjectProperty<>(this, "page");
    private final ObjectProperty<Verdict> verdict = new SimpleObjectProperty<>(this, "verdict");
    private final IntegerProperty hintsShown = new SimpleIntegerProperty(this, "hintsShown", 0);
    private final BooleanProperty solutionShown = new SimpleBooleanProperty(this, "solutionShown", false);
    private final StringProperty notice = new SimpleStringProperty(this, "notice", "");
    private final BooleanProperty busy = new SimpleBooleanProperty(this, "busy", false);
    private final BooleanProperty grading = new SimpleBooleanProperty(this, "grading", false);

    /**
     * @param store where the student's progress is loaded from now and saved to after every change
     */
    public CourseViewModel(MainViewModel vm, ProgressStore store) {
        this.vm = vm;
        this.store = store;
        ProgressStore.Loaded loaded = store.load();
        progress.set(loaded.progress());
        loaded.notice().ifPresent(notice::set);
        List<String> problems = new ArrayList<>();
        try {
            add(Course.bundled(), "the course", problems);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            notice.set(String.join("\n", problems));
        }
    }

    /** Where a page's view and concealment go (the window; set once it is built). */
    public void setWindow(Window window) {
        this.window = window;
    }

    private void add(List<LessonSource> sources, String origin, List<String> problems) {
        for (LessonSource source : sources) {
            LessonReader.Result r = LessonReader.read(source);
            if (r.ok()) {
                lessons.add(new Entry(r.lesson(), origin));
            } else {
                problems.add(r.problems().stream().map(Object::toString).collect(Collectors.joining("\n")));
            }
        }
    }

    /**
     * Adds a teacher's lesson folder (or folder of lessons) after the lessons already listed; lessons with problems
     * are left out, their problems in the notice.
     *
     * @return how many lessons were added
     */
    public int addFolder(Path folder) {
        List<String> problems = new ArrayList<>();
        int before = lessons.size();
        try {
            add(Course.folder(folder), folder.getFileName() == null ? folder.toString() : folder.getFileName().toString(),
                    problems);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        notice.set(problems.isEmpty() ? "" : "Some lessons in " + folder + " could not be read (run attn-studio lessons"
                + " check on the folder for details):\n" + String.join("\n", problems));
        return lessons.size() - before;
    }

    public ObservableList<Entry> lessons() {
        return lessons;
    }

    public ObjectProperty<Progress> progressProperty() {
        return progress;
    }

    /** The page open, or null before the first. */
    public ObjectProperty<OpenPage> pageProperty() {
        return page;
    }

    /** How the last answer to the page's exercise was graded, or null. */
    public ObjectProperty<Verdict> verdictProperty() {
        return verdict;
    }

    public IntegerProperty hintsShownProperty() {
        return hintsShown;
    }

    public BooleanProperty solutionShownProperty() {
        return solutionShown;
    }

    /** Problems reading lessons or progress, or a page that could not be set up; blank when all is well. */
    public StringProperty noticeProperty() {
        return notice;
    }

    /** Whether a page is being set up. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy;
    }

    /** Whether an answer is being graded on the engine thread. */
    public ReadOnlyBooleanProperty gradingProperty() {
        return grading;
    }

    /** The index of the lesson with this id, or -1. */
    public int indexOf(String lessonId) {
        for (int i = 0; i < lessons.size(); i++) {
            if (lessons.get(i).lesson().id().equals(lessonId)) {
                return i;
            }
        }
        return -1;
    }

    /** Opens the page the student was last on, or the first page of the course. */
    public void resume() {
        int lesson = progress.get().resume().map(r -> indexOf(r.lesson())).orElse(-1);
        if (lesson < 0) {
            open(0, 0);
        } else {
            int p = progress.get().lesson(lessons.get(lesson).lesson().id()).page();
            open(lesson, Math.min(p, lessons.get(lesson).lesson().pages().size() - 1));
        }
    }

    public void next() {
        OpenPage p = page.get();
        if (p == null) {
            return;
        }
        if (p.page() + 1 < lesson(p).pages().size()) {
            open(p.lesson(), p.page() + 1);
        } else if (p.lesson() + 1 < lessons.size()) {
            open(p.lesson() + 1, 0);
        }
    }

    public void back() {
        OpenPage p = page.get();
        if (p == null) {
            return;
        }
        if (p.page() > 0) {
            open(p.lesson(), p.page() - 1);
        } else if (p.lesson() > 0) {
            open(p.lesson() - 1, lessons.get(p.lesson() - 1).lesson().pages().size() - 1);
        }
    }

    /** Whether Next leads anywhere. */
    public boolean hasNext() {
        OpenPage p = page.get();
        return p != null && (p.page() + 1 < lesson(p).pages().size() || p.lesson() + 1 < lessons.size());
    }

    public boolean hasBack() {
        OpenPage p = page.get();
        return p != null && (p.page() > 0 || p.lesson() > 0);
    }

    /** Sets the page's state up again (model, prompt, actions, view), after the student explored on their own. */
    public void restore() {
        OpenPage p = page.get();
        if (p != null) {
            open(p.lesson(), p.page(), p.attempt());
        }
    }

    /** Opens page {@code index} of lesson {@code lesson} (0-based). */
    public void open(int lesson, int index) {
        open(lesson, index, 0);
    }

    private void open(int lessonIndex, int index, int attempt) {
        if (busy.get() || lessonIndex < 0 || lessonIndex >= lessons.size()) {
            return;
        }
        Lesson lesson = lessons.get(lessonIndex).lesson();
        busy.set(true);
        vm.lessonStage().run("Setting up \u201c" + lesson.pages().get(index).title() + "\u201d\u2026", access -> {
            WindowHost host = new WindowHost(access);
            PageRunner.open(lesson, index, attempt, host);
            PageSession session = PageSession.open(lesson, index, attempt,
                    new EngineContext(access.model(), access.stepper(), Map.of()));
            return new OpenPage(lessonIndex, index, attempt, session, host.view(), host.highlights(), host.concealed());
        }, opened -> {
            busy.set(false);
            notice.set("");
            verdict.set(null);
            ExerciseProgress done = opened.session().exercise() == null ? ExerciseProgress.NONE
                    : progress.get().lesson(lesson.id()).exercise(opened.session().exercise().exercise().id());
            hintsShown.set(done.hints());
            solutionShown.set(done.solutionShown());
            save(progress.get().pageSeen(lesson, index));
            if (window != null) {
                if (opened.view() != null) {
                    window.show(opened.view());
                }
                window.conceal(opened.concealed());
            }
            page.set(opened);
        }, failure -> {
            busy.set(false);
            notice.set("This page could not be set up: " + Failures.message(failure));
        });
    }

    /** Applies an action link of the page; a bad one is reported in the notice. */
    public void follow(String destination) {
        try {
            LessonLinks.parse(destination).ifPresent(link -> {
                if (link instanceof LessonLinks.Show s && window != null) {
                    window.show(s.view());
                } else if (link instanceof LessonLinks.RunTo r) {
                    runTo(r.pattern());
                }
            });
        } catch (IllegalArgumentException e) {
            notice.set(e.getMessage());
        }
    }

    private void runTo(String pattern) {
        if (!vm.lessonStage().idle()) {
            return;
        }
        vm.lessonStage().run("Running to " + pattern + "\u2026", access -> {
            if (access.stepper().runTo(pattern) == null) {
                throw new IllegalArgumentException("no step after the cursor matches " + pattern
                        + " (press \u201cReturn to the lesson\u2019s state\u201d to start the page over)");
            }
            return pattern;
        }, p -> { }, failure -> notice.set(Failures.message(failure)));
    }

    /**
     * Grades an answer to the page's exercise (a compute answer on the engine thread), records it in the progress,
     * and shows the views again after a prediction.
     */
    public void submit(Response response) {
        OpenPage p = page.get();
        ExerciseSession ex = p == null ? null : p.session().exercise();
        if (ex == null || grading.get()) {
            return;
        }
        if (ex.kind() == ExerciseKind.COMPUTE) {
            grading.set(true);
            vm.onEngine((model, stepper) -> ex.grade(response, new EngineContext(model, stepper, Map.of())), v -> {
                grading.set(false);
                graded(p, ex, response, v);
            }, failure -> {
                grading.set(false);
                notice.set("The answer could not be graded: " + Failures.message(failure));
            });
        } else {
            graded(p, ex, response, ex.grade(response, null));
        }
    }

    private void graded(OpenPage p, ExerciseSession ex, Response response, Verdict v) {
        if (page.get() != p) {
            return; // the student moved on while it was graded
        }
        verdict.set(v);
        if (v.outcome() != Verdict.Outcome.UNREADABLE) {
            save(progress.get().answered(lesson(p), ex.exercise().id(), response.text(), v.correct()));
            if (ex.concealsView() && window != null) {
                window.conceal(false);
            }
        }
    }

    /** Shows the next hint of the page's exercise. */
    public void showHint() {
        OpenPage p = page.get();
        ExerciseSession ex = p == null ? null : p.session().exercise();
        if (ex != null && hintsShown.get() < ex.hints()) {
            hintsShown.set(hintsShown.get() + 1);
            save(progress.get().hintsShown(lesson(p), ex.exercise().id(), hintsShown.get()));
        }
    }

    /** Shows the worked solution (and the views, after a prediction). */
    public void showSolution() {
        OpenPage p = page.get();
        ExerciseSession ex = p == null ? null : p.session().exercise();
        if (ex != null) {
            solutionShown.set(true);
            save(progress.get().solutionShown(lesson(p), ex.exercise().id()));
            if (ex.concealsView() && window != null) {
                window.conceal(false);
            }
        }
    }

    /** The share of the open lesson done: its pages seen and exercises answered right, out of all. */
    public double lessonDone() {
        OpenPage p = page.get();
        if (p == null) {
            return 0;
        }
        Lesson l = lesson(p);
        LessonProgress lp = progress.get().lesson(l.id());
        long right = l.exercises().stream().filter(e -> lp.exercise(e.id()).correct()).count();
        return (lp.seen().size() + right) / (double) (l.pages().size() + l.exercises().size());
    }

    private Lesson lesson(OpenPage p) {
        return lessons.get(p.lesson()).lesson();
    }

    private void save(Progress next) {
        progress.set(next);
        try {
            store.save(next);
        } catch (RuntimeException e) {
            notice.set("Your progress could not be saved: " + e.getMessage());
        }
    }
}
