package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.model.Capabilities;

/** The KV cache tab: cache bytes and timings, and the cached keys and values of the layer and head it picks. */
public final class KvCacheTab {

    public static final ViewSpec SPEC = new ViewSpec("kv-cache", "KV cache",
            "Cache bytes per layer and step, prefill and decode time, the cached K/V of one head",
            host -> new KvCacheTab().build(host));

    /** The panel's own choice of layer and key/value head, as the engine-thread factory reads it. */
    private volatile int layer;
    private volatile int kvHead;

    private KvCacheTab() {
    }

    private BuiltView build(ViewHost host) {
        KvCachePanel panel = new KvCachePanel();
        panel.setId("kvCachePanel");
        layer = panel.layerProperty().get();
        kvHead = panel.kvHeadProperty().get();
        // (the layer the panel asks for may not exist in a model opened since: the last one then; an encoder has none)
        panel.dataProperty().bind(host.feed("KV cache", (s, c) -> {
            Capabilities can = c.loaded().model().capabilities();
            return can.cacheLayers() == 0 ? KvCacheData.none(c.loaded())
                    : KvCacheData.from(s, c.loaded(), Math.min(layer, can.cacheLayers() - 1), Math.min(kvHead, can.kvHeads() - 1));
        }).dataProperty());
        panel.layerProperty().addListener((obs, old, now) -> {
            layer = now.intValue();
            host.refresh();
        });
        panel.kvHeadProperty().addListener((obs, old, now) -> {
            kvHead = now.intValue();
            host.refresh();
        });
        return BuiltView.of(panel).exportedAs(ViewExport.figure(panel, new KvCacheFigure(panel))).readingOut(panel.hoverTextProperty());
    }
}
