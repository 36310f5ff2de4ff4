package dev.attnstudio.app.tokens;

import dev.attnstudio.app.theme.Styles;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.List;

/**
 * The prompt's tokens as small chips (text over id), wrapping like words. Special tokens stand out, the second
 * segment of a sentence pair is tinted, and padding cells are drawn hollow. A batch shows one labelled line per
 * row, all of the same length, so the padding that evens them out is visible.
 */
public final class TokenStrip extends VBox {

    public TokenStrip(ObservableList<List<TokenChip>> rows) {
        getStyleClass().add(Styles.TOKEN_STRIP);
        setSpacing(4);
        rows.addListener((ListChangeListener<List<TokenChip>>) change -> rebuild(rows));
        rebuild(rows);
    }

    private void rebuild(List<List<TokenChip>> rows) {
        if (rows.size() == 1) {
            getChildren().setAll(line(rows.get(0)));
            return;
        }
        getChildren().setAll(java.util.stream.IntStream.range(0, rows.size()).mapToObj(b -> {
            Label label = new Label("row " + b);
            label.getStyleClass().add(Styles.TOKEN_ROW_LABEL);
            label.setMinWidth(Region.USE_PREF_SIZE);
            label.setTooltip(new Tooltip("Prompt " + (b + 1) + " of the batch (batch index " + b + ")"));
            FlowPane line = line(rows.get(b));
            HBox.setHgrow(line, Priority.ALWAYS);
            HBox box = new HBox(6, label, line);
            box.setAlignment(Pos.TOP_LEFT);
            return (Node) box;
        }).toList());
    }

    private static FlowPane line(List<TokenChip> row) {
        FlowPane line = new FlowPane(4, 4);
        line.getChildren().setAll(row.stream().map(TokenStrip::chip).toList());
        return line;
    }

    private static VBox chip(TokenChip t) {
        Label text = new Label(t.text());
        text.getStyleClass().add(Styles.TOKEN_TEXT);
        Label id = new Label(Long.toString(t.id()));
        id.getStyleClass().add(Styles.TOKEN_ID);
        VBox box = new VBox(text, id);
        box.getStyleClass().add(Styles.TOKEN_CHIP);
        if (t.special()) {
            box.getStyleClass().add(Styles.TOKEN_SPECIAL);
        }
        if (t.typeId() > 0) {
            box.getStyleClass().add(Styles.TOKEN_SEGMENT_B);
        }
        if (t.padding()) {
            box.getStyleClass().add(Styles.TOKEN_PADDING);
        }
        String what = t.padding() ? " (padding: masked out of attention)" : t.special() ? " (special token)" : "";
        String segment = t.typeId() > 0 ? ", segment B (token type " + t.typeId() + ")" : "";
        Tooltip.install(box, new Tooltip("position " + t.position() + ", id " + t.id() + segment + what));
        return box;
    }
}
