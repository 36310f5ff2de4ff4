package dev.attnstudio.app.lesson;

import dev.attnstudio.app.markdown.MarkdownView;
import dev.attnstudio.lessons.format.Highlight;
import dev.attnstudio.lessons.format.Lesson;
import dev.attnstudio.lessons.progress.LessonProgress;
import dev.attnstudio.lessons.progress.Progress;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TitledPane;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The lesson panel beside the views: the course outline with completion marks, the page (Markdown with formulas and
 * action links), its exercise, Back and Next (Alt+Left, Alt+Right), a progress bar for the lesson, and "Return to the
 * lesson's state". It binds to a {@link CourseViewModel} and forwards the student's actions to it.
 */
public final class LessonPanel extends VBox {

    /** An outline row: a lesson, or one of its pages. */
    private record Row(int lesson, int page, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private final CourseViewModel course;
    private final TreeView<Row> outline = new TreeView<>();
    private final Label title = new Label();
    private final Label where = new Label();
    private final MarkdownView text = new MarkdownView();
    private final Label lookAt = new Label();
    private final Label notice = new Label();
    private final VBox exerciseSlot = new VBox();
    private final ProgressBar bar = new ProgressBar(0);
    private final Label barText = new Label();
    private final Button back = new Button("\u2190 Back");
    private final Button next = new Button("Next \u2192");
    private final Button toExercise = new Button("Exercise \u2193");
    private final ScrollPane scroll;
    private ExercisePane exercise;
    private boolean building;

    /**
     * @param close what the panel's close button does (the window hides it)
     */
    public LessonPanel(CourseViewModel course, Runnable close) {
        super(6);
        this.course = course;
        setId("lessonPanel");
        getStyleClass().add(LessonStyles.PANEL);
        getStylesheets().add(LessonStyles.stylesheet());
        setMinWidth(280);
        setPrefWidth(440);

        Label header = new Label("The course");
        header.getStyleClass().add(LessonStyles.HEADER);
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        Button hide = new Button("Close");
        hide.setId("closeCourse");
        hide.setOnAction(e -> close.run());
        HBox top = new HBox(6, header, gap, hide);
        top.setAlignment(Pos.CENTER_LEFT);

        outline.setId("courseOutline");
        outline.setShowRoot(false);
        outline.setRoot(new TreeItem<>());
        outline.setPrefHeight(170);
        outline.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> {
            if (!building && item != null && item.getValue() != null) {
                Row r = item.getValue();
                course.open(r.lesson(), Math.max(0, r.page()));
            }
        });
        TitledPane outlinePane = new TitledPane("Outline", outline);
        outlinePane.setId("outlinePane");
        outlinePane.setExpanded(false);
        outlinePane.setAnimated(false);

        title.setId("lessonTitle");
        title.getStyleClass().add(LessonStyles.HEADER);
        title.setWrapText(true);
        where.setId("pageWhere");
        where.getStyleClass().add(LessonStyles.PAGE_TITLE);
        where.setWrapText(true);
        text.setId("pageText");
        text.setFormulas(true);
        text.onLinkProperty().set(course::follow);
        lookAt.setId("lookAt");
        lookAt.getStyleClass().add(LessonStyles.LOOK_AT);
        lookAt.setWrapText(true);
        lookAt.managedProperty().bind(lookAt.visibleProperty());
        notice.setId("courseNotice");
        notice.getStyleClass().add(LessonStyles.NOTICE);
        notice.setWrapText(true);
        notice.textProperty().bind(course.noticeProperty());
        notice.visibleProperty().bind(course.noticeProperty().isNotEmpty());
        notice.managedProperty().bind(notice.visibleProperty());
        toExercise.setId("toExercise");
        toExercise.setMinWidth(Region.USE_PREF_SIZE);
        toExercise.setTooltip(new javafx.scene.control.Tooltip("Scroll down to this page's exercise"));
        toExercise.managedProperty().bind(toExercise.visibleProperty());
        HBox whereRow = new HBox(8, where, toExercise);
        whereRow.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(where, Priority.ALWAYS);
        where.setMaxWidth(Double.MAX_VALUE);
        VBox content = new VBox(10, title, whereRow, text, lookAt, exerciseSlot);
        content.setFillWidth(true);
        scroll = new ScrollPane(content);
        toExercise.setOnAction(e -> {
            scroll.layout();
            scroll.setVvalue(scroll.getVmax());
        });
        scroll.setId("pageScroll");
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        VBox.setVgrow(scroll, Priority.ALWAYS);

        back.setId("backButton");
        next.setId("nextButton");
        back.setOnAction(e -> course.back());
        next.setOnAction(e -> course.next());
        back.disableProperty().bind(course.busyProperty());
        next.disableProperty().bind(course.busyProperty());
        Button restore = new Button("Return to the lesson\u2019s state");
        restore.setId("restoreButton");
        restore.setOnAction(e -> course.restore());
        restore.disableProperty().bind(course.busyProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox nav = new HBox(6, back, next, spacer, restore);
        nav.setAlignment(Pos.CENTER_LEFT);
        nav.getStyleClass().add(LessonStyles.NAV);
        bar.setId("lessonProgress");
        bar.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(bar, Priority.ALWAYS);
        barText.getStyleClass().add(LessonStyles.MUTED);
        HBox progress = new HBox(6, bar, barText);
        progress.setAlignment(Pos.CENTER_LEFT);

        getChildren().addAll(top, outlinePane, notice, scroll, progress, nav);
        course.pageProperty().addListener((obs, old, p) -> showPage());
        course.progressProperty().addListener((obs, old, p) -> {
            buildOutline();
            updateBar();
        });
        course.lessons().addListener((javafx.collections.ListChangeListener<CourseViewModel.Entry>) c -> buildOutline());
        buildOutline();
        sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null) {
                scene.getAccelerators().put(new KeyCodeCombination(KeyCode.LEFT, KeyCombination.ALT_DOWN), () -> {
                    if (isVisible() && getScene() != null && isInWindow()) {
                        course.back();
                    }
                });
                scene.getAccelerators().put(new KeyCodeCombination(KeyCode.RIGHT, KeyCombination.ALT_DOWN), () -> {
                    if (isVisible() && getScene() != null && isInWindow()) {
                        course.next();
                    }
                });
            }
        });
    }

    private boolean isInWindow() {
        return getParent() != null;
    }

    /** The exercise widget of the page, or null (for a pick in the map). */
    ExercisePane exercise() {
        return exercise;
    }

    private void showPage() {
        CourseViewModel.OpenPage p = course.pageProperty().get();
        if (p == null) {
            return;
        }
        Lesson lesson = course.lessons().get(p.lesson()).lesson();
        title.setText(lesson.title());
        where.setText("Lesson " + (p.lesson() + 1) + " of " + course.lessons().size() + "  \u00b7  page " + (p.page() + 1)
                + " of " + lesson.pages().size() + ": " + p.session().page().title());
        text.setMarkdown(p.session().text());
        String look = lookAt(p.highlights(), p.view() == null ? null : p.view().query());
        lookAt.setText(look);
        lookAt.setVisible(!look.isEmpty());
        exercise = p.session().exercise() == null ? null : new ExercisePane(course, p.session().exercise());
        exerciseSlot.getChildren().setAll(exercise == null ? List.of() : List.of(exercise));
        toExercise.setVisible(exercise != null);
        scroll.setVvalue(0);
        next.setText(p.page() + 1 < lesson.pages().size() ? "Next \u2192" : "Next lesson \u2192");
        buildOutline();
        updateBar();
    }

    /** What the page points at, in words. */
    static String lookAt(List<Highlight> highlights, Integer query) {
        String parts = highlights.stream().map(LessonPanel::describe).collect(Collectors.joining("; "));
        if (parts.isEmpty() && query != null) {
            parts = "the row of query " + query;
        }
        return parts.isEmpty() ? "" : "Look at " + parts + ".";
    }

    private static String describe(Highlight h) {
        if (h instanceof Highlight.Cell c) {
            return "the cell of query " + c.query() + " and key " + c.key();
        }
        if (h instanceof Highlight.Row r) {
            return "the row of query " + r.query();
        }
        if (h instanceof Highlight.Column c) {
            return "the column of key " + c.key();
        }
        return "the step " + ((Highlight.Step) h).hook() + " in the steps list";
    }

    private void updateBar() {
        double done = course.lessonDone();
        bar.setProgress(done);
        barText.setText(Math.round(done * 100) + "% of this lesson");
    }

    private void buildOutline() {
        building = true;
        try {
            Progress progress = course.progressProperty().get();
            CourseViewModel.OpenPage open = course.pageProperty().get();
            TreeItem<Row> root = new TreeItem<>();
            TreeItem<Row> selected = null;
            for (int i = 0; i < course.lessons().size(); i++) {
                CourseViewModel.Entry e = course.lessons().get(i);
                LessonProgress lp = progress.lesson(e.lesson().id());
                String mark = lp.completed() ? "\u2714 " : lp.seen().isEmpty() ? "\u25cb " : "\u25d0 ";
                TreeItem<Row> item = new TreeItem<>(new Row(i, -1, mark + e.lesson().title()
                        + ("the course".equals(e.origin()) ? "" : "  (" + e.origin() + ")")));
                List<dev.attnstudio.lessons.format.Page> pages = e.lesson().pages();
                for (int k = 0; k < pages.size(); k++) {
                    String seen = lp.seen().contains(k) ? "\u2714 " : "   ";
                    TreeItem<Row> page = new TreeItem<>(new Row(i, k, seen + (k + 1) + ". " + pages.get(k).title()));
                    item.getChildren().add(page);
                    if (open != null && open.lesson() == i && open.page() == k) {
                        selected = page;
                    }
                }
                item.setExpanded(open != null && open.lesson() == i);
                root.getChildren().add(item);
            }
            outline.setRoot(root);
            if (selected != null) {
                outline.getSelectionModel().select(selected);
            }
        } finally {
            building = false;
        }
    }
}
