package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.sampling.SamplingConfig;

/** The Generation tab: next-token probabilities and the sampling settings Run > Generate uses. */
public final class GenerationTab {

    public static final ViewSpec SPEC = new ViewSpec("generation", "Generation",
            "Next-token probabilities and sampling controls; generate one token at a time",
            host -> new GenerationTab().build(host));

    /** The panel's sampling settings, as the engine-thread factory reads them. */
    private volatile SamplingConfig sampling;

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
        generation.busyProperty().bind(host.commandsDisabled());
        return BuiltView.of(generation);
    }
}
