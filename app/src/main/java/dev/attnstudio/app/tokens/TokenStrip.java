package dev.attnstudio.app.tokens;

import dev.attnstudio.app.theme.Styles;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

/** The prompt's tokens as small chips (text over id), wrapping like words; special tokens stand out. */
public final class TokenStrip extends FlowPane {

    public TokenStrip(ObservableList<TokenChip> tokens) {
        getStyleClass().add(Styles.TOKEN_STRIP);
        setHgap(4);
        setVgap(4);
        tokens.addListener((ListChangeListener<TokenChip>) change -> rebuild(tokens));
        rebuild(tokens);
    }

    private void rebuild(ObservableList<TokenChip> tokens) {
        getChildren().setAll(tokens.stream().map(TokenStrip::chip).toList());
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
        Tooltip.install(box, new Tooltip("position " + t.position() + ", id " + t.id() + (t.special() ? " (special token)" : "")));
        return box;
    }
}
