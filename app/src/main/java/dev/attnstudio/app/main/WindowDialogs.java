package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.markdown.MarkdownView;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The main window's dialogs: a failed load, Help > Keyboard shortcuts and Help > About, in the window's theme and zoom. */
final class WindowDialogs {

    /** Help > About's page. */
    private static final String ABOUT = resource("about.md");

    private final Parent root;

    WindowDialogs(Parent root) {
        this.root = root;
    }

    /** Tells that a model could not be opened. */
    void loadFailed(String message) {
        Alert alert = new Alert(Alert.AlertType.ERROR, message);
        alert.setHeaderText("The model could not be opened");
        show(alert);
    }

    /**
     * Tells that the engine failed during a pass, with the cause; the window stays usable with the steps computed
     * before (the status bar says the same).
     */
    void passFailed(String message) {
        Alert alert = new Alert(Alert.AlertType.ERROR, message
                + "\n\nThe steps computed before the failure are still there: step back, switch views, or start over.");
        alert.setHeaderText("The pass failed");
        alert.getDialogPane().setId("passFailedDialog");
        show(alert);
    }

    /** Every menu command that has a shortcut, read from the menus so the list cannot drift. */
    void shortcuts(MenuBar menus) {
        GridPane grid = new GridPane();
        grid.setId("shortcutTable");
        grid.getStyleClass().add(Styles.SHORTCUT_TABLE);
        grid.setHgap(24);
        grid.setVgap(4);
        int row = 0;
        for (Menu menu : menus.getMenus()) {
            List<MenuItem> items = new ArrayList<>();
            collect(menu.getItems(), items);
            if (items.isEmpty()) {
                continue;
            }
            Label heading = new Label(menu.getText());
            heading.getStyleClass().add(Styles.PANEL_TITLE);
            grid.add(heading, 0, row++, 2, 1);
            for (MenuItem item : items) {
                Label key = new Label(item.getAccelerator().getDisplayText());
                key.getStyleClass().add(Styles.HOOK_NAME);
                grid.add(new Label(item.getText()), 0, row);
                grid.add(key, 1, row++);
            }
        }
        grid.add(new Label("Add a breakpoint (in its field)"), 0, row);
        grid.add(new Label("Enter"), 1, row++);
        grid.add(new Label("Remove the selected breakpoint"), 0, row);
        grid.add(new Label("Delete"), 1, row);
        for (javafx.scene.Node cell : grid.getChildren()) {
            ((Label) cell).setMinWidth(Region.USE_PREF_SIZE); // a command or a key is read whole, never cut short
        }
        Alert alert = new Alert(Alert.AlertType.INFORMATION);
        alert.setTitle("Keyboard shortcuts");
        alert.setHeaderText("Keyboard shortcuts");
        ScrollPane scroll = new ScrollPane(grid);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(420);
        alert.getDialogPane().setContent(scroll);
        show(alert);
    }

    /** Help > About: what the app is and does, what it is built on (the models' own cards are Help > Model info). */
    void about() {
        Alert alert = new Alert(Alert.AlertType.INFORMATION);
        alert.setTitle("About Attention Studio");
        alert.setHeaderText(null); // the page has its title
        alert.setGraphic(null);
        MarkdownView text = new MarkdownView(ABOUT.replace("{version}", version()));
        text.setId("aboutText");
        ScrollPane scroll = new ScrollPane(text);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportWidth(560);
        scroll.setPrefViewportHeight(420);
        alert.getDialogPane().setContent(scroll);
        show(alert);
    }

    /** The version the jar was built as, or "development build" when run from classes. */
    static String version() {
        String v = WindowDialogs.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static String resource(String name) {
        try (InputStream in = WindowDialogs.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shows a dialog over the window, in the window's theme and zoom. */
    private void show(Dialog<?> dialog) {
        Scene scene = root.getScene();
        if (scene != null) {
            dialog.initOwner(scene.getWindow());
            dialog.getDialogPane().getStylesheets().setAll(scene.getStylesheets());
        }
        dialog.getDialogPane().setStyle(root.getStyle());
        dialog.getDialogPane().setMinHeight(Region.USE_PREF_SIZE);
        dialog.getDialogPane().setMinWidth(Region.USE_PREF_SIZE);
        dialog.show();
    }

    private static void collect(List<MenuItem> items, List<MenuItem> out) {
        for (MenuItem item : items) {
            if (item instanceof Menu sub) {
                collect(sub.getItems(), out);
            } else if (item.getAccelerator() != null) {
                out.add(item);
            }
        }
    }
}
