package dev.attnstudio.app.lesson;

import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.theme.Theme;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.lessons.format.ExerciseKind;
import dev.attnstudio.lessons.format.ViewSelection;
import dev.attnstudio.lessons.progress.ProgressStore;
import dev.attnstudio.lessons.run.ExerciseSession;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exercise widget of every kind, on the bundled lessons' pages (set up on the real samples, engine work run in
 * place): the input each kind asks for, hints and the worked solution hidden until asked, feedback for an answer
 * that cannot be read, and the views hidden for a prediction.
 */
class ExerciseWidgetsTest {

    @TempDir
    Path config;

    private static MainViewModel vm;
    private static CourseViewModel course;
    private static LessonPanel panel;
    private static final List<Boolean> concealed = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        FxToolkit.registerPrimaryStage();
        fx(() -> {
            vm = new MainViewModel(new DirectEngineExecutor(), ModelOpener.standard(DjlRuntime.DeviceChoice.CPU));
            course = new CourseViewModel(vm, new ProgressStore(config));
            course.setWindow(new CourseViewModel.Window() {
                @Override
                public void show(ViewSelection view) {
                }

                @Override
                public void conceal(boolean c) {
                    concealed.add(c);
                }
            });
            panel = new LessonPanel(course, () -> { });
            new Scene(panel, 500, 700).getStylesheets().setAll(Theme.LIGHT.stylesheets());
            return null;
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        FxToolkit.registerPrimaryStage();
        fx(() -> {
            vm.close();
            return null;
        });
    }

    @Test
    void everyKindGetsItsInput() throws Exception {
        int l05 = course.indexOf("05-scores-as-dot-products");
        List<ExerciseKind> seen = new ArrayList<>();
        for (int page = 0; page < course.lessons().get(l05).lesson().pages().size(); page++) {
            ExerciseSession ex = open(l05, page);
            if (ex == null) {
                continue;
            }
            seen.add(ex.kind());
            switch (ex.kind()) {
                case NUMBER -> assertInstanceOf(TextField.class, find("#answerField"));
                case SHAPE -> assertTrue(((TextField) find("#answerField")).getPromptText().contains("shape"));
                case PICK_CELL -> {
                    fx(() -> {
                        panel.exercise().picked(8, 3);
                        return null;
                    });
                    assertEquals("8", ((TextField) find("#answerQuery")).getText());
                    assertEquals("3", ((TextField) find("#answerKey")).getText());
                }
                case COMPUTE -> assertInstanceOf(TextArea.class, find("#answerExpression"));
                case ORDER -> {
                    @SuppressWarnings("unchecked")
                    ListView<String> list = (ListView<String>) find("#answerOrder");
                    assertEquals(ex.items(), List.copyOf(list.getItems()));
                    fx(() -> {
                        list.getSelectionModel().select(1);
                        ((ButtonBase) find("#moveUp")).fire();
                        return null;
                    });
                    assertEquals(ex.items().get(1), list.getItems().get(0), "Move up moves the selected item");
                }
                case CHOICE -> {
                    VBox choices = (VBox) find("#answerChoices");
                    assertEquals(ex.options().size(), choices.getChildren().size());
                    assertTrue(choices.getChildren().stream().allMatch(RadioButton.class::isInstance));
                    fx(() -> {
                        ((ButtonBase) find("#checkButton")).fire();
                        return null;
                    });
                    assertEquals("? pick one of the options first", label("#feedback"));
                }
                default -> {
                }
            }
            assertTrue(label("#exerciseMeta").matches("Difficulty [\u25cf\u25cb]{5} \\(\\d of 5\\)   about .+ minutes?"),
                    label("#exerciseMeta"));
            assertFalse(find("#solution").isVisible(), "the worked solution is hidden until asked for");
            assertTrue(((VBox) find("#hints")).getChildren().isEmpty(), "hints are hidden until asked for");
        }
        assertEquals(List.of(ExerciseKind.NUMBER, ExerciseKind.SHAPE, ExerciseKind.PICK_CELL, ExerciseKind.COMPUTE,
                ExerciseKind.ORDER, ExerciseKind.CHOICE), seen);
    }

    @Test
    void hintsAndTheSolutionComeWhenAskedAndAnUnreadableAnswerIsSaidSo() throws Exception {
        ExerciseSession ex = open(course.indexOf("05-scores-as-dot-products"), 1);
        fx(() -> {
            ((TextField) find("#answerField")).setText("about four");
            ((ButtonBase) find("#checkButton")).fire();
            return null;
        });
        assertEquals("? type a number, such as 0.25 or -3", label("#feedback"));
        fx(() -> {
            ((ButtonBase) find("#hintButton")).fire();
            return null;
        });
        assertEquals(List.of("Hint 1: " + ex.hint(0)), ((VBox) find("#hints")).getChildren().stream()
                .map(n -> ((Label) n).getText()).toList());
        fx(() -> {
            ((ButtonBase) find("#solutionButton")).fire();
            return null;
        });
        assertTrue(find("#solution").isVisible());
        assertTrue(label("#solution").startsWith("Worked solution: "));
        assertEquals(1, course.progressProperty().get().lesson("05-scores-as-dot-products").exercise("scaled-score")
                .hints());
    }

    @Test
    void aPredictionHidesTheViewsUntilTheStudentCommits() throws Exception {
        concealed.clear();
        ExerciseSession ex = open(course.indexOf("10-six-mask-bugs"), 0);
        assertEquals(ExerciseKind.PREDICT, ex.kind());
        assertEquals(List.of(true), concealed);
        assertEquals("Commit to this answer", ((ButtonBase) find("#checkButton")).getText());
        fx(() -> {
            ((TextField) find("#answerField")).setText("99");
            ((ButtonBase) find("#checkButton")).fire();
            return null;
        });
        assertEquals(List.of(true, false), concealed);
        assertTrue(label("#feedback").startsWith("\u2716 Not quite"), label("#feedback"));
        assertNotEquals(0, course.progressProperty().get().lesson("10-six-mask-bugs").exercise("allowed-keys").attempts());
    }

    private static ExerciseSession open(int lesson, int page) throws Exception {
        fx(() -> {
            course.open(lesson, page);
            return null;
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> course.pageProperty().get() != null
                && course.pageProperty().get().page() == page && course.pageProperty().get().lesson() == lesson));
        return fx(() -> course.pageProperty().get().session().exercise());
    }

    private static Node find(String id) throws Exception {
        return fx(() -> {
            panel.applyCss(); // the scroll pane's skin puts the page in the scene graph
            panel.layout();
            return panel.lookup(id);
        });
    }

    private static String label(String id) throws Exception {
        return ((Label) find(id)).getText();
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }
}
