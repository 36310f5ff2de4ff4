package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.tokens.TokenStrip;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.List;

/**
 * The prompt editor and its tokens: the text (one prompt per line in batch mode), the batch switch and sentence B
 * for the models that read them, an encoder-decoder's decoder ids, and the token strip, which follows the typing
 * once it pauses.
 */
final class PromptPanel extends VBox {

    /** Height of one row of token chips, in em (it scales with the zoom). */
    private static final double TOKEN_ROW_EM = 3.3;

    private final TextArea prompt = new TextArea();
    private final TextField pair = new TextField();
    private final TextField decoderIds = new TextField();

    PromptPanel(MainViewModel vm) {
        super(6);
        getStyleClass().add(Styles.PANEL);

        Label title = new Label("Prompt");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        title.setMinWidth(Region.USE_PREF_SIZE);
        prompt.setId("prompt");
        prompt.setPromptText("Type a prompt");
        prompt.setWrapText(true);
        prompt.getStyleClass().add(Styles.PROMPT_EDITOR);
        prompt.textProperty().bindBidirectional(vm.prompt().textProperty());
        prompt.prefRowCountProperty().bind(Bindings.when(vm.prompt().batchModeProperty()).then(4).otherwise(1));
        prompt.setTooltip(new Tooltip("The text the model reads; the tokens below follow when the typing pauses. "
                + "In batch mode each line is one prompt."));
        prompt.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            // One prompt is one line: Enter adds a line only in batch mode (Ctrl+Enter still runs to the end).
            if (e.getCode() == KeyCode.ENTER && !e.isShortcutDown() && !e.isShiftDown() && !vm.prompt().batchModeProperty().get()) {
                e.consume();
            }
        });
        title.setLabelFor(prompt);
        HBox.setHgrow(prompt, Priority.ALWAYS);

        CheckBox batch = new CheckBox("Batch");
        batch.setId("batchMode");
        batch.selectedProperty().bindBidirectional(vm.prompt().batchModeProperty());
        batch.visibleProperty().bind(vm.session().batchesProperty());
        batch.managedProperty().bind(vm.session().batchesProperty());
        batch.setMinWidth(Region.USE_PREF_SIZE);
        batch.setTooltip(new Tooltip("One prompt per line, run together as a batch padded on the right to the longest "
                + "(the padding is masked out of attention)"));

        Label count = new Label();
        count.setId("tokenCount");
        count.getStyleClass().add(Styles.MUTED);
        count.setMinWidth(Region.USE_PREF_SIZE);
        count.textProperty().bind(Bindings.createStringBinding(() -> count(vm.prompt().tokenRows()), vm.prompt().tokenRows()));
        count.setTooltip(new Tooltip("Tokens the model reads (per row, padding included)"));
        HBox row = new HBox(10, title, prompt, new VBox(4, batch, count));
        row.setAlignment(Pos.TOP_LEFT);

        Label pairLabel = new Label("Sentence B");
        pairLabel.getStyleClass().add(Styles.FIELD_LABEL);
        pairLabel.setMinWidth(Region.USE_PREF_SIZE);
        pair.setId("pair");
        pair.setPromptText("Optional second segment of a sentence pair (token type 1)");
        pair.textProperty().bindBidirectional(vm.prompt().pairProperty());
        pair.setTooltip(new Tooltip("Encoders read a sentence pair as [CLS] A [SEP] B [SEP]; B's tokens get token type 1"));
        pairLabel.setLabelFor(pair);
        HBox.setHgrow(pair, Priority.ALWAYS);
        HBox pairRow = new HBox(10, pairLabel, pair);
        pairRow.setAlignment(Pos.CENTER_LEFT);
        pairRow.visibleProperty().bind(vm.session().pairsProperty());
        pairRow.managedProperty().bind(vm.session().pairsProperty());

        Label decoderLabel = new Label("Decoder ids");
        decoderLabel.getStyleClass().add(Styles.FIELD_LABEL);
        decoderLabel.setMinWidth(Region.USE_PREF_SIZE);
        decoderIds.setId("decoderIds");
        decoderIds.setPromptText("Optional: the decoder's first tokens as ids, e.g. 0,17,5 (empty: the decoder start token)");
        decoderIds.textProperty().bindBidirectional(vm.prompt().decoderIdsProperty());
        decoderIds.setTooltip(new Tooltip("The prompt is the encoder's source; the decoder starts from these token ids "
                + "(comma-separated) or, when empty, from the model's decoder start token. Generation appends to them."));
        decoderLabel.setLabelFor(decoderIds);
        HBox.setHgrow(decoderIds, Priority.ALWAYS);
        HBox decoderRow = new HBox(10, decoderLabel, decoderIds);
        decoderRow.setAlignment(Pos.CENTER_LEFT);
        decoderRow.visibleProperty().bind(vm.session().encoderDecoderProperty());
        decoderRow.managedProperty().bind(vm.session().encoderDecoderProperty());

        TokenStrip strip = new TokenStrip(vm.prompt().tokenRows(), vm.prompt().decoderTokens());
        ScrollPane tokens = new ScrollPane(strip);
        tokens.setId("tokenStrip");
        tokens.getStyleClass().add(Styles.TOKEN_SCROLL);
        tokens.setFitToWidth(true);
        tokens.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        tokens.setTooltip(new Tooltip("The prompt's tokens: text over id. Orange: special tokens; tinted: sentence B; "
                + "hollow: padding"));
        // The strip learns its height during a layout pass; resize the viewport in the next pulse, not inside it.
        strip.heightProperty().addListener((obs, old, h) -> Platform.runLater(() -> fitTokens(tokens, strip, prompt, vm)));
        prompt.fontProperty().addListener((obs, old, f) -> Platform.runLater(() -> fitTokens(tokens, strip, prompt, vm)));
        fitTokens(tokens, strip, prompt, vm);
        tokens.setMinHeight(Region.USE_PREF_SIZE); // the viewport's minimum holds (see fitTokens)

        getChildren().addAll(row, pairRow, decoderRow, tokens);
        prompt.sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null) {
                Platform.runLater(prompt::requestFocus); // typing goes to the prompt from the start
            }
        });
    }

    /** Moves the keyboard focus to the prompt, caret at the end. */
    void focusPrompt() {
        prompt.requestFocus();
        prompt.end();
    }

    /** Moves the keyboard focus to sentence B (encoders). */
    void focusPair() {
        pair.requestFocus();
        pair.end();
    }

    /**
     * As tall as the chips need, up to three rows (an encoder-decoder's two lines: up to four), then the strip
     * scrolls. That height is also the strip's minimum: the view tabs below want all the room there is, and without
     * a minimum the window's column squeezes the strip to one row, hiding a T5's decoder line and a long prompt.
     */
    private static void fitTokens(ScrollPane tokens, TokenStrip strip, TextArea prompt, MainViewModel vm) {
        double row = TOKEN_ROW_EM * prompt.getFont().getSize();
        int rows = vm.session().encoderDecoderProperty().get() ? 4 : 3;
        double viewport = Math.max(row, Math.min(rows * row + 8, Math.ceil(strip.getHeight()) + 1));
        tokens.setPrefViewportHeight(viewport);
        tokens.setMinViewportHeight(viewport);
    }

    private static String count(List<List<TokenChip>> rows) {
        int n = rows.isEmpty() ? 0 : rows.get(0).size();
        String tokens = n == 1 ? "1 token" : n + " tokens";
        return rows.size() > 1 ? rows.size() + " rows \u00d7 " + tokens : tokens;
    }
}
