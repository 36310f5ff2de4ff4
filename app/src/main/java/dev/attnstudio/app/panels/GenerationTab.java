package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.sampling.SamplingConfig;

/**
 * The Generation tab: the prompt and its continuation as text, next-token probabilities, and the sampling settings and
 * token count Run > Generate and Generate N use.
 */
public final class GenerationTab {

    public static final ViewSpec SPEC = new ViewSpec("generation", "Generation",
            "The prompt and its continuation as text, next-token probabilities and sampling controls; generate one token "
                    + "or N",
            host -> new GenerationTab().build(host));

    /** The panel's sampling settings, as the engine-thread factory reads them. */
    private volatile SamplingConfig sampling;
    /** Kept so the count's bidirectional binding to the window's is not collected. */
    private javafx.beans.property.ObjectProperty<Integer> countAsObject;

    private GenerationTab() {
    }

    private BuiltView build(ViewHost host) {
        GenerationPanel generation = new GenerationPanel();
        generation.setId("generationPanel");
        sampling = generation.samplingConfigProperty().get();
        generation.dataProperty().bind(host.feed("Generation",
                (s, c) -> GenerationData.from(s, c.loaded(), sampling, GenerationData.TOP)).dataProperty());
        generation.samplingConfigProperty().addListener((obs, old, now) -> {
            sampling = now;
            host.refresh();
        });
        host.samplingProperty().bind(generation.samplingConfigProperty());
        generation.onGenerateProperty().set(host::generate);
        generation.onGenerateTokensProperty().set(host::generate);
        countAsObject = host.generateCountProperty().asObject();
        generation.countProperty().bindBidirectional(countAsObject);
        generation.busyProperty().bind(host.commandsDisabled());
        return BuiltView.of(generation);
    }
}
