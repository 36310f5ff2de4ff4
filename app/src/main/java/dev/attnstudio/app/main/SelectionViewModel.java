package dev.attnstudio.app.main;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewCell;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The selection every view shares: layer, head, batch row, (for an encoder-decoder) which attention, and whether the
 * attention views show the whole sequence or the pass under the cursor. The user changes it through the selection bar
 * and the views; after a stepping command the layer follows the cursor into its block, and the attention follows it
 * into its stack until the user picks one (generating moves neither). A change the user makes rebuilds the views' data; one that a snapshot makes does not.
 */
public final class SelectionViewModel {

    /**
     * The selection as engine tasks read it.
     *
     * @param sourcePinned  whether the user picked the attention (it then stays where they put it)
     * @param wholeSequence whether the attention views stitch every pass up to the cursor's
     */
    record Chosen(int layer, int head, int row, AttentionSource source, boolean sourcePinned, boolean wholeSequence) {
    }

    private final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 0);
    private final ObjectProperty<ViewCell> cell =
            new SimpleObjectProperty<>(this, "cell");
    private final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    private final IntegerProperty batchRow = new SimpleIntegerProperty(this, "batchRow", 0);
    private final ObjectProperty<AttentionSource> attentionSource =
            new SimpleObjectProperty<>(this, "attentionSource", AttentionSource.SELF);
    /** Whether the user picked the attention, so that it no longer follows the cursor. */
    private boolean sourcePinned;
    private final BooleanProperty wholeSequence = new SimpleBooleanProperty(this, "wholeSequence", true);
    private volatile Chosen chosen = new Chosen(0, 0, 0, AttentionSource.SELF, false, true);
    /** Set while a snapshot is applied, so the selection it moves does not ask for another snapshot. */
    private boolean applying;

    /**
     * @param changed called on the UI thread when the user changed the selection
     */
    SelectionViewModel(Runnable changed) {
        Runnable moved = () -> {
            chosen = new Chosen(layer.get(), head.get(), batchRow.get(), attentionSource.get(), sourcePinned,
                    wholeSequence.get());
            if (!applying) {
                changed.run();
            }
        };
        attentionSource.addListener((obs, old, now) -> {
            if (!applying) {
                sourcePinned = true; // the user's choice: stepping and generating no longer move it
            }
            moved.run();
        });
        layer.addListener((obs, old, now) -> moved.run());
        head.addListener((obs, old, now) -> moved.run());
        batchRow.addListener((obs, old, now) -> moved.run());
        wholeSequence.addListener((obs, old, now) -> moved.run());
    }

    /** The selected block (0-based), shared by the views; it follows the cursor into each block. */
    public IntegerProperty layerProperty() {
        return layer;
    }

    /** The cell the views with a cell cursor point at (a lint finding's), or null; see {@link dev.attnstudio.app.views.ViewHost#cellProperty}. */
    public ObjectProperty<ViewCell> cellProperty() {
        return cell;
    }

    /** The selected head (0-based), shared by the views; a single head-independent map (the mask) ignores it. */
    public IntegerProperty headProperty() {
        return head;
    }

    /** The selected row of a batch (0-based), shared by the views. */
    public IntegerProperty batchRowProperty() {
        return batchRow;
    }

    /**
     * Which attention the attention views show: {@link AttentionSource#SELF} for single-stack models; an
     * encoder-decoder's encoder self, decoder self or decoder cross-attention. Until the user sets it, stepping moves it
     * with the cursor into each stack (generating does not); once they have, it stays where they put it, through
     * stepping, generating and new prompts.
     */
    public ObjectProperty<AttentionSource> attentionSourceProperty() {
        return attentionSource;
    }

    /**
     * Whether the attention views (grid, Head, Head view, Stages, Mask, Entropy) show the whole sequence, its rows
     * stitched from every pass up to the one under the cursor (the prompt's rows, then one row per generated token),
     * rather than the pass under the cursor alone. On by default: for the prompt's pass the two are the same, and after
     * generating, a decode pass alone is a single row, while the question is what the sentence attends to.
     */
    public BooleanProperty wholeSequenceProperty() {
        return wholeSequence;
    }

    /** The selection, for the engine thread. */
    Chosen chosen() {
        return chosen;
    }

    /** UI thread: runs {@code apply} (a snapshot being applied) without the selection it moves asking for a refresh. */
    void quietly(Runnable apply) {
        applying = true;
        try {
            apply.run();
        } finally {
            applying = false;
        }
    }

    /**
     * UI thread: follows the cursor's block (and stack, see {@link PassSnapshots}), and keeps the selection inside the
     * model and the batch.
     */
    void follow(PassSnapshot snapshot, ModelInfo info) {
        if (snapshot.layerAt() >= 0) {
            layer.set(snapshot.layerAt());
        }
        if (snapshot.source() != null) {
            attentionSource.set(snapshot.source());
        }
        if (info != null) {
            layer.set(clamp(layer.get(), info.layers()));
            head.set(clamp(head.get(), info.heads()));
        }
        batchRow.set(clamp(batchRow.get(), Math.max(1, snapshot.tokens().size())));
    }

    static int clamp(int value, int count) {
        return Math.max(0, Math.min(value, count - 1));
    }
}
