package dev.attnstudio.app.lesson;

import dev.attnstudio.app.markdown.MarkdownView;
import dev.attnstudio.lessons.format.ExerciseKind;
import dev.attnstudio.lessons.grade.Response;
import dev.attnstudio.lessons.grade.Verdict;
import dev.attnstudio.lessons.probe.Answer;
import dev.attnstudio.lessons.probe.AnswerKind;
import dev.attnstudio.lessons.run.ExerciseSession;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.function.Supplier;

/**
 * The exercise of a page: its question, difficulty and expected minutes, the input its kind asks for (a number, a
 * shape, a cell, options, items to order, an expression), a Check button, the feedback, and hints and a worked
 * solution that stay hidden until asked for. Built anew for each page; the grading is the course's.
 */
final class ExercisePane extends VBox {

    private final CourseViewModel course;
    private final ExerciseSession ex;
    private final Label feedback = new Label();
    private final VBox hints = new VBox(4);
    private final Label solution = new Label();
    /** Reads the student's answer from the input; throws IllegalArgumentException with a message for the student. */
    private Supplier<Response> answer;
    private TextField query;
    private TextField key;

    ExercisePane(CourseViewModel course, ExerciseSession ex) {
        super(8);
        this.course = course;
        this.ex = ex;
        setId("exercisePane");
        getStyleClass().add(LessonStyles.EXERCISE);
        Label title = new Label(switch (ex.kind()) {
            case PREDICT -> "Predict, then look";
            case PICK_CELL -> "Exercise: pick a cell";
            case NUMBER -> "Exercise: a number";
            case SHAPE -> "Exercise: a shape";
            case CHOICE -> "Exercise: choose one";
            case ORDER -> "Exercise: put in order";
            case COMPUTE -> "Exercise: compute it";
        });
        title.getStyleClass().add(LessonStyles.EXERCISE_TITLE);
        Label meta = new Label(difficulty(ex.difficulty()) + "   about " + minutes(ex.minutes()));
        meta.setId("exerciseMeta");
        meta.getStyleClass().add(LessonStyles.MUTED);
        MarkdownView question = new MarkdownView();
        question.setFormulas(true);
        question.setMarkdown(ex.question());
        Button check = new Button(ex.kind() == ExerciseKind.PREDICT ? "Commit to this answer" : "Check");
        check.setId("checkButton");
        check.setDefaultButton(false);
        check.disableProperty().bind(course.gradingProperty());
        check.setOnAction(e -> submit());
        feedback.setId("feedback");
        feedback.setWrapText(true);
        feedback.getStyleClass().add(LessonStyles.FEEDBACK);
        feedback.setVisible(false);
        feedback.managedProperty().bind(feedback.visibleProperty());
        Button hint = new Button("Hint");
        hint.setId("hintButton");
        hint.setOnAction(e -> course.showHint());
        hint.disableProperty().bind(course.hintsShownProperty().greaterThanOrEqualTo(ex.hints()));
        if (ex.hints() == 0) {
            hint.setText("No hints");
        }
        Button solve = new Button("Show the worked solution");
        solve.setId("solutionButton");
        solve.setOnAction(e -> course.showSolution());
        solution.setId("solution");
        solution.setWrapText(true);
        solution.getStyleClass().add(LessonStyles.SOLUTION);
        solution.setText("Worked solution: " + ex.solution());
        solution.visibleProperty().bind(course.solutionShownProperty());
        solution.managedProperty().bind(solution.visibleProperty());
        hints.setId("hints");
        course.hintsShownProperty().addListener((obs, old, now) -> showHints(now.intValue()));
        showHints(course.hintsShownProperty().get());
        course.verdictProperty().addListener((obs, old, v) -> show(v));
        HBox buttons = new HBox(8, check, hint, solve);
        buttons.setAlignment(Pos.CENTER_LEFT);
        getChildren().addAll(title, meta, question, input(), buttons, feedback, hints, solution);
    }

    private static String difficulty(int d) {
        int n = Math.max(1, Math.min(5, d));
        return "Difficulty " + "\u25cf".repeat(n) + "\u25cb".repeat(5 - n) + " (" + n + " of 5)";
    }

    private static String minutes(double m) {
        return m == Math.rint(m) ? (long) m + (m == 1 ? " minute" : " minutes") : m + " minutes";
    }

    private void showHints(int shown) {
        hints.getChildren().clear();
        for (int i = 0; i < shown && i < ex.hints(); i++) {
            Label h = new Label("Hint " + (i + 1) + ": " + ex.hint(i));
            h.setWrapText(true);
            h.getStyleClass().add(LessonStyles.HINT);
            hints.getChildren().add(h);
        }
    }

    private void show(Verdict v) {
        feedback.getStyleClass().removeAll(LessonStyles.RIGHT, LessonStyles.WRONG);
        if (v == null) {
            feedback.setVisible(false);
            return;
        }
        feedback.getStyleClass().add(v.correct() ? LessonStyles.RIGHT : LessonStyles.WRONG);
        String head = switch (v.outcome()) {
            case CORRECT -> "\u2714 ";
            case MISCONCEPTION -> "\u2716 A common mistake: ";
            case WRONG -> "\u2716 ";
            case UNREADABLE -> "? ";
        };
        feedback.setText(head + v.message());
        feedback.setVisible(true);
    }

    /** The student picked a cell in a map (pick-cell and cell predictions). */
    void picked(int q, int k) {
        if (query != null) {
            query.setText(Integer.toString(q));
            key.setText(Integer.toString(k));
        }
    }

    private void submit() {
        Response r;
        try {
            r = answer.get();
        } catch (IllegalArgumentException e) {
            course.verdictProperty().set(new Verdict(Verdict.Outcome.UNREADABLE, e.getMessage(), Double.NaN));
            return;
        }
        course.submit(r);
    }

    private Node input() {
        AnswerKind kind = ex.answer().kind();
        if (ex.kind() == ExerciseKind.COMPUTE) {
            TextArea expr = new TextArea();
            expr.setId("answerExpression");
            expr.setPromptText("a tensor expression, e.g. softmax(blocks.0.attn.hook_attn_scores[0, 2] / 2)");
            expr.setPrefRowCount(3);
            expr.setWrapText(true);
            expr.getStyleClass().add(LessonStyles.CODE_INPUT);
            answer = () -> Response.parse(AnswerKind.TENSOR, expr.getText());
            Label help = new Label("Hook names, + - * / ** @, indexing like [0, 2], softmax, exp, sqrt, sum, mean, max, "
                    + "d_head, d_model, seq. You get the share of values that match.");
            help.setWrapText(true);
            help.getStyleClass().add(LessonStyles.MUTED);
            return new VBox(4, expr, help);
        }
        return switch (kind) {
            case CELL -> cell();
            case CHOICE -> choice();
            case ORDER -> order();
            default -> field(kind);
        };
    }

    private Node field(AnswerKind kind) {
        TextField f = new TextField();
        f.setId("answerField");
        f.setPromptText(kind == AnswerKind.SHAPE ? "a shape, e.g. [1, 4, 12, 12]" : "a number, e.g. 0.25");
        f.setOnAction(e -> submit());
        answer = () -> Response.parse(kind, f.getText());
        return f;
    }

    private Node cell() {
        query = new TextField();
        query.setId("answerQuery");
        query.setPromptText("query (row)");
        query.setPrefColumnCount(6);
        key = new TextField();
        key.setId("answerKey");
        key.setPromptText("key (column)");
        key.setPrefColumnCount(6);
        answer = () -> Response.parse(AnswerKind.CELL, query.getText() + ", " + key.getText());
        Label how = new Label("Click the cell in the map, or type its query and key (counting from 0).");
        how.setWrapText(true);
        how.getStyleClass().add(LessonStyles.MUTED);
        HBox row = new HBox(6, new Label("Query"), query, new Label("Key"), key);
        row.setAlignment(Pos.CENTER_LEFT);
        return new VBox(4, how, row);
    }

    private Node choice() {
        ToggleGroup group = new ToggleGroup();
        VBox box = new VBox(4);
        box.setId("answerChoices");
        List<Answer.Option> options = ex.options();
        for (Answer.Option o : options) {
            RadioButton b = new RadioButton(o.label());
            b.setUserData(o.id());
            b.setToggleGroup(group);
            b.setWrapText(true);
            box.getChildren().add(b);
        }
        answer = () -> {
            if (group.getSelectedToggle() == null) {
                throw new IllegalArgumentException("pick one of the options first");
            }
            return new Response.Choice((String) group.getSelectedToggle().getUserData());
        };
        return box;
    }

    private Node order() {
        ListView<String> list = new ListView<>();
        list.setId("answerOrder");
        list.getItems().setAll(ex.items());
        list.setPrefHeight(Math.min(8, ex.items().size()) * 26 + 6);
        Button up = new Button("Move up");
        up.setId("moveUp");
        Button down = new Button("Move down");
        down.setId("moveDown");
        up.setOnAction(e -> move(list, -1));
        down.setOnAction(e -> move(list, 1));
        answer = () -> new Response.Order(List.copyOf(list.getItems()));
        VBox buttons = new VBox(4, up, down);
        HBox box = new HBox(6, list, buttons);
        HBox.setHgrow(list, Priority.ALWAYS);
        Label how = new Label("Select an item and move it; the first item is the earliest.");
        how.getStyleClass().add(LessonStyles.MUTED);
        return new VBox(4, how, box);
    }

    private static void move(ListView<String> list, int by) {
        int i = list.getSelectionModel().getSelectedIndex();
        int j = i + by;
        if (i < 0 || j < 0 || j >= list.getItems().size()) {
            return;
        }
        String item = list.getItems().remove(i);
        list.getItems().add(j, item);
        list.getSelectionModel().clearAndSelect(j);
    }
}
