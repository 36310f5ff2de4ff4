package dev.attnstudio.app.views;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.sampling.SamplingConfig;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableValue;

/**
 * What a view may use of the window while its {@link ViewSpec} builds it: a feed of engine data, the shared selection
 * and display settings, and the commands a view may start. One host per view; called on the FX thread.
 */
public interface ViewHost {

    /**
     * The view's feed: {@code factory} builds its data on the engine thread after every command and selection change,
     * only while the view's tab shows. A failing factory's message goes to the status bar.
     *
     * @param name for logs and error messages, e.g. {@code "KV cache"}
     */
    <T> ViewFeed<T> feed(String name, ViewFeed.Factory<T> factory);

    /** The layer every view shows (0-based); views may bind to it both ways. */
    IntegerProperty layerProperty();

    /** The head every view shows (0-based); views may bind to it both ways. */
    IntegerProperty headProperty();

    /** Colour scale and pooling of the attention maps, shared by every view that draws one. */
    AttentionSettings attentionSettings();

    /** The sampling settings Run > Generate uses; the view that edits them binds it. */
    ObjectProperty<SamplingConfig> samplingProperty();

    /** Whether commands are unavailable: the engine is busy or no model is ready. */
    ObservableBooleanValue commandsDisabled();

    /** Rebuilds the shown views' data, e.g. after a choice of the view's own that its factory reads changed. */
    void refresh();

    /** Generates one token with {@code config} and steps into the pass that reads it. */
    void generate(SamplingConfig config);

    /**
     * Generates {@code tokens} tokens one after another with {@code config}, each pass run to its end; Esc stops after
     * the current token.
     */
    void generate(SamplingConfig config, int tokens);

    /** How many tokens Run ▸ Generate N produces; the view that edits it binds it. */
    IntegerProperty generateCountProperty();

    /** Moves the cursor onto a computed step of a pass. */
    void jumpTo(int group, int index);

    /**
     * The attention the views show: self-attention, or one of an encoder-decoder's three. A view that sets it (a
     * diagnostic jumping to a cross-attention head) pins it, as the user's own choice does.
     */
    ObjectProperty<AttentionSource> attentionSourceProperty();

    /** The interventions the pass runs under. */
    ObservableValue<Interventions> interventionsProperty();

    /** Turns an intervention on, or off if it is on; the pass starts over under the new set. */
    void toggleIntervention(Intervention intervention);

    /**
     * The cell views with a cell cursor point at, set by a view that points at one (Lint: a finding's query and key);
     * null for none. Shared by every view.
     */
    ObjectProperty<ViewCell> cellProperty();

    /** Shows another view by its {@link ViewSpec#id() id}. */
    void show(String viewId);
}
