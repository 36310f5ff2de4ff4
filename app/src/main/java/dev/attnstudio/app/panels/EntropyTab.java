package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;

/** The Entropy tab: every head's attention entropy; a click selects the layer and head. */
public final class EntropyTab {

    public static final ViewSpec SPEC = new ViewSpec("entropy", "Entropy",
            "Mean normalized entropy of every layer \u00d7 head, and its evolution across generated tokens", EntropyTab::build);

    private EntropyTab() {
    }

    private static BuiltView build(ViewHost host) {
        EntropyPanel entropy = new EntropyPanel();
        entropy.setId("entropyPanel");
        entropy.dataProperty().bind(host.feed("Entropy", (s, c) -> EntropyData.from(s, c)).dataProperty());
        entropy.selectedLayerProperty().bindBidirectional(host.layerProperty());
        entropy.selectedHeadProperty().bindBidirectional(host.headProperty());
        // (the panel's text describes the selected head, not the mouse: it stays in the panel)
        return BuiltView.of(entropy).exportedAs(ViewExport.figure(entropy, entropy.map().figure()));
    }
}
