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
 * row, all of the same length, so the padding that evens them out is visible. An encoder-decoder shows two
 * labelled lines: the encoder's source and the decoder's tokens (start token, then what was generated). Generated
 * tokens are set apart from the prompt's (accent colour, heavy underline) and their tooltip says which pass read them
 * and how probable they were.
 */
public final class TokenStrip extends VBox {

    public TokenStrip(ObservableList<List<TokenChip>> rows) {
        this(rows, javafx.collections.FXCollections.observableArrayList());
    }

    /**
     * @param decoder an encoder-decoder's decoder tokens; while not empty, {@code rows} is read as the encoder's
     */
    public TokenStrip(ObservableList<List<TokenChip>> rows, ObservableList<TokenChip> decoder) {
        getStyleClass().add(Styles.TOKEN_STRIP);
        getStylesheets().add(TokenStyles.stylesheet());
        setSpacing(4);
        rows.addListener((ListChangeListener<List<TokenChip>>) change -> rebuild(rows, decoder));
        decoder.addListener((ListChangeListener<TokenChip>) change -> rebuild(rows, decoder));
        rebuild(rows, decoder);
    }

    private void rebuild(List<List<TokenChip>> rows, List<TokenChip> decoder) {
        if (!decoder.isEmpty() && rows.size() == 1) {
            getChildren().setAll(labelled("encoder", "The encoder's source: the prompt", rows.get(0)),
                    labelled("decoder", "The decoder's tokens: the start token, given decoder ids and generated tokens",
                            decoder));
            return;
        }
        if (rows.size() == 1) {
            getChildren().setAll(line(rows.get(0)));
            return;
        }
        getChildren().setAll(java.util.stream.IntStream.range(0, rows.size()).mapToObj(b ->
                labelled("row " + b, "Prompt " + (b + 1) + " of the batch (batch index " + b + ")", rows.get(b))).toList());
    }

    private static Node labelled(String name, String help, List<TokenChip> row) {
        Label label = new Label(name);
        label.getStyleClass().add(Styles.TOKEN_ROW_LABEL);
        label.setMinWidth(Region.USE_PREF_SIZE);
        label.setTooltip(new Tooltip(help));
        FlowPane line = line(row);
        HBox.setHgrow(line, Priority.ALWAYS);
        HBox box = new HBox(6, label, line);
        box.setAlignment(Pos.TOP_LEFT);
        return box;
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
        if (t.isGenerated()) {
            box.getStyleClass().add(TokenStyles.GENERATED_CHIP);
        }
        Tooltip.install(box, new Tooltip(describe(t)));
        return box;
    }

    /** A chip's tooltip: "position 7, id 32 · generated: read by pass 2, sampled with p = 0.412". */
    static String describe(TokenChip t) {
        String what = t.padding() ? " (padding: masked out of attention)" : t.special() ? " (special token)" : "";
        String segment = t.typeId() > 0 ? ", segment B (token type " + t.typeId() + ")" : "";
        String generated = !t.isGenerated() ? "" : String.format(java.util.Locale.ROOT,
                "  \u00b7  generated: read by pass %d, sampled with p = %.3f", t.sampled().pass() + 1,
                t.sampled().probability());
        return "position " + t.position() + ", id " + t.id() + segment + what + generated;
    }
}
