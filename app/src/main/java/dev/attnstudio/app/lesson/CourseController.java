package dev.attnstudio.app.lesson;

import dev.attnstudio.app.main.MainView;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.lessons.progress.ProgressStore;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.DirectoryChooser;

import java.io.File;
import java.nio.file.Files;

/**
 * The course in the window: Help > Course opens the lesson panel beside the views (where the student left off),
 * File > Open lessons folder... adds a teacher's lessons, and on a first start the window offers the course in a
 * banner that does not block anything.
 */
public final class CourseController {

    private final MainView view;
    private final CourseViewModel course;
    private final LessonPanel panel;

    public CourseController(MainViewModel vm, MainView view, ProgressStore store) {
        this.view = view;
        course = new CourseViewModel(vm, store);
        CourseWindow window = new CourseWindow(vm, view);
        course.setWindow(window);
        panel = new LessonPanel(course, this::close);
        window.onCellClicked((q, k) -> {
            if (view.docked() == panel && panel.exercise() != null) {
                panel.exercise().picked(q, k);
            }
        });
    }

    /**
     * Adds the menu items, and the offer when {@code offer} is set and the student has no progress yet.
     *
     * @param offer whether this window may offer the course (the user's own start, not a test's)
     */
    public void install(boolean offer, ProgressStore store) {
        MenuItem courseItem = new MenuItem("Course");
        courseItem.setId("courseItem");
        courseItem.setOnAction(e -> open());
        view.menu("Help").getItems().add(0, courseItem);
        MenuItem folderItem = new MenuItem("Open lessons folder\u2026");
        folderItem.setId("openLessonsItem");
        folderItem.setOnAction(e -> chooseFolder());
        var file = view.menu("File").getItems();
        int at = Math.min(3, file.size());
        file.add(at, folderItem);
        file.add(at + 1, new SeparatorMenuItem());
        if (offer && !Files.exists(store.file())) {
            offer();
        }
    }

    public CourseViewModel course() {
        return course;
    }

    public LessonPanel panel() {
        return panel;
    }

    /** Shows the panel and, when no page is open yet, the page the student was last on. */
    public void open() {
        view.dock(panel);
        if (course.pageProperty().get() == null) {
            course.resume();
        }
    }

    /**
     * Shows the panel on a lesson's page (the {@code --lesson=ID[:PAGE]} option; pages count from 1 there).
     *
     * @return false when the course has no such lesson
     */
    public boolean open(String lessonId, int page) {
        int i = course.indexOf(lessonId);
        if (i < 0) {
            return false;
        }
        view.dock(panel);
        int pages = course.lessons().get(i).lesson().pages().size();
        course.open(i, Math.max(0, Math.min(page, pages - 1)));
        return true;
    }

    public void close() {
        view.concealViews(false);
        view.dock(null);
    }

    private void chooseFolder() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open a lesson folder, or a folder of lessons");
        File folder = chooser.showDialog(panel.getScene() == null ? null : view.root().getScene().getWindow());
        if (folder != null) {
            int added = course.addFolder(folder.toPath());
            if (added > 0) {
                view.dock(panel);
                course.open(course.lessons().size() - added, 0);
            } else {
                open();
            }
        }
    }

    private void offer() {
        Label text = new Label("New here? The course walks you through attention step by step, on the live model, "
                + "with exercises that check your answers.");
        text.setWrapText(true);
        Button start = new Button("Start the course");
        start.setId("startCourse");
        Button later = new Button("Not now");
        later.setId("dismissCourse");
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox banner = new HBox(10, text, gap, start, later);
        banner.setId("courseBanner");
        banner.setAlignment(Pos.CENTER_LEFT);
        banner.getStyleClass().add(LessonStyles.BANNER);
        banner.getStylesheets().add(LessonStyles.stylesheet());
        Runnable remove = () -> ((Pane) banner.getParent()).getChildren().remove(banner);
        start.setOnAction(e -> {
            remove.run();
            open();
        });
        later.setOnAction(e -> remove.run());
        view.showBanner(banner);
    }
}
