package dev.attnstudio.app.main;

import dev.attnstudio.app.tokens.TokenChip;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.List;

/**
 * The prompt and its tokens: the text, an encoder's sentence B and batch mode, an encoder-decoder's decoder ids, and
 * the tokens of the pass (one row per prompt of a batch; an encoder-decoder's decoder tokens apart). Every edit starts
 * a fresh pass: the window re-tokenizes on the engine thread and the tokens come back with the pass snapshot.
 */
public final class PromptViewModel {

    public static final String DEFAULT_PROMPT = "The quick brown fox jumps over the lazy dog";

    private final StringProperty text = new SimpleStringProperty(this, "text", DEFAULT_PROMPT);
    private final StringProperty pair = new SimpleStringProperty(this, "pair", "");
    private final BooleanProperty batchMode = new SimpleBooleanProperty(this, "batchMode", false);
    private final StringProperty decoderIds = new SimpleStringProperty(this, "decoderIds", "");
    private final ObservableList<List<TokenChip>> tokenRows = FXCollections.observableArrayList();
    private final ObservableList<TokenChip> tokens = FXCollections.observableArrayList();
    private final ObservableList<TokenChip> decoderTokens = FXCollections.observableArrayList();
    // One wrapper each, held here: a wrapper made per call would be collected and its listeners go silent.
    private final ObservableList<List<TokenChip>> tokenRowsView = FXCollections.unmodifiableObservableList(tokenRows);
    private final ObservableList<TokenChip> tokensView = FXCollections.unmodifiableObservableList(tokens);
    private final ObservableList<TokenChip> decoderTokensView = FXCollections.unmodifiableObservableList(decoderTokens);
    /** The prompt engine tasks read: always the newest text, even for tasks queued before the last edit. */
    private volatile PromptInput latest = new PromptInput(DEFAULT_PROMPT, "", false, "");
    private final Runnable edited;
    /** While {@link #reset} sets the fields one by one: they count as one edit. */
    private boolean resetting;

    /**
     * @param edited called on the UI thread after every edit
     */
    PromptViewModel(Runnable edited) {
        this.edited = edited;
        text.addListener((obs, old, now) -> changed());
        pair.addListener((obs, old, now) -> changed());
        batchMode.addListener((obs, old, now) -> changed());
        decoderIds.addListener((obs, old, now) -> changed());
    }

    private void changed() {
        if (resetting) {
            return;
        }
        latest = new PromptInput(orEmpty(text.get()), orEmpty(pair.get()), batchMode.get(), orEmpty(decoderIds.get()));
        edited.run();
    }

    /** UI thread: sets every field at once (a model was opened), as one edit. */
    void reset(PromptInput input) {
        resetting = true;
        try {
            batchMode.set(input.batch());
            text.set(input.text());
            pair.set(input.pair());
            decoderIds.set(input.decoder());
        } finally {
            resetting = false;
        }
        changed();
    }

    /** Engine thread: the input a lesson set, which the pass was just reset on (tasks queued later must not redo it). */
    void adopt(PromptInput input) {
        latest = input;
    }

    /** UI thread: shows what {@link #adopt} set, without it counting as an edit. */
    void showAdopted(PromptInput input) {
        resetting = true;
        try {
            batchMode.set(input.batch());
            text.set(input.text());
            pair.set(input.pair());
            decoderIds.set(input.decoder());
        } finally {
            resetting = false;
        }
        latest = input;
    }

    /** The prompt text; every change re-tokenizes it and starts a fresh pass. In batch mode, one prompt per line. */
    public StringProperty textProperty() {
        return text;
    }

    /** Sentence B of a pair (encoders; blank for none). Each prompt is read as the pair (prompt, B). */
    public StringProperty pairProperty() {
        return pair;
    }

    /** Whether each line of the prompt is a separate row of a padded batch (encoders). */
    public BooleanProperty batchModeProperty() {
        return batchMode;
    }

    /**
     * An encoder-decoder's decoder input as comma-separated token ids, e.g. {@code 0,17,5}; blank means the
     * decoder start token alone. Every change starts a fresh pass.
     */
    public StringProperty decoderIdsProperty() {
        return decoderIds;
    }

    /** The tokens of the pass, one list per batch row (padding included, marked), read-only. */
    public ObservableList<List<TokenChip>> tokenRows() {
        return tokenRowsView;
    }

    /** The tokens of the first row (read-only). */
    public ObservableList<TokenChip> tokens() {
        return tokensView;
    }

    /** An encoder-decoder's decoder tokens (start token, given and generated ones), read-only; else empty. */
    public ObservableList<TokenChip> decoderTokens() {
        return decoderTokensView;
    }

    /** The newest input, for the engine thread. */
    PromptInput latest() {
        return latest;
    }

    /** UI thread: the tokens of a pass snapshot. */
    void show(PassSnapshot snapshot) {
        if (!tokenRows.equals(snapshot.tokens())) {
            tokenRows.setAll(snapshot.tokens());
        }
        List<TokenChip> first = snapshot.tokens().isEmpty() ? List.of() : snapshot.tokens().get(0);
        if (!tokens.equals(first)) {
            tokens.setAll(first);
        }
        if (!decoderTokens.equals(snapshot.decoderTokens())) {
            decoderTokens.setAll(snapshot.decoderTokens());
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
