package dev.attnstudio.app.lint;

import dev.attnstudio.app.panels.PanelStyles;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One finding of the Lint view's list: its kind and place on one line, what was measured, and the hint, all wrapped. */
final class FindingRow extends VBox {

    private static final String IDLE = "-fx-background-color: -as-surface; -fx-border-color: -as-border;"
            + " -fx-border-radius: 4; -fx-background-radius: 4;";
    private static final String SELECTED = "-fx-background-color: -as-accent-soft; -fx-border-color: -as-accent;"
            + " -fx-border-radius: 4; -fx-background-radius: 4;";

    final MaskFinding finding;

    FindingRow(MaskFinding f) {
        super(2);
        this.finding = f;
        getStyleClass().add("lint-finding");
        setPadding(new Insets(5, 8, 5, 8));
        setFocusTraversable(true);
        Label head = wrapped(title(f), PanelStyles.PANEL_TITLE);
        Label message = wrapped(f.message(), null);
        Label hint = wrapped("Hint: " + f.hint(), PanelStyles.MUTED);
        getChildren().addAll(head, message, hint);
        setSelected(false);
    }

    void setSelected(boolean on) {
        setStyle(on ? SELECTED : IDLE);
    }

    /** "future-key-mass (error) · L0 H1 · row 0, query 3 -> key 5 · magnitude 0.412 · 12 rows". */
    static String title(MaskFinding f) {
        List<String> parts = new ArrayList<>();
        parts.add(f.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + " ("
                + f.severity().name().toLowerCase(Locale.ROOT) + ")");
        parts.add(where(f));
        parts.add(String.format(Locale.ROOT, "magnitude %.4g", f.magnitude()));
        if (f.count() > 1) {
            parts.add(f.count() + " affected");
        }
        if (f.pass() > 0) {
            parts.add("decode pass " + f.pass());
        }
        return String.join(" \u00b7 ", parts);
    }

    /** Where the worst cell is: site, layer, head, batch row, query and key (whatever applies). */
    static String where(MaskFinding f) {
        List<String> parts = new ArrayList<>();
        if (f.site() != null && !f.site().equals("self")) {
            parts.add(f.site());
        }
        if (f.layer() >= 0) {
            parts.add("L" + f.layer() + (f.head() >= 0 ? " H" + f.head() : ""));
        }
        if (f.row() >= 0) {
            parts.add("row " + f.row());
        }
        if (f.query() >= 0) {
            parts.add("query " + f.query() + (f.key() >= 0 ? " \u2192 key " + f.key() : ""));
        } else if (f.key() >= 0) {
            parts.add("key " + f.key());
        }
        return parts.isEmpty() ? "whole run" : String.join(", ", parts);
    }

    private static Label wrapped(String text, String style) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setMaxWidth(Double.MAX_VALUE);
        l.setMinHeight(Region.USE_PREF_SIZE);
        if (style != null) {
            l.getStyleClass().add(style);
        }
        return l;
    }
}
