package dev.attnstudio.app.main;

import dev.attnstudio.app.attention.AttentionGridData;
import dev.attnstudio.app.attention.AttentionGridView;
import dev.attnstudio.app.attention.AttentionSettings;
import dev.attnstudio.app.attention.HeadDetailView;
import dev.attnstudio.app.attention.HeadLinesView;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.attention.StageStripView;
import dev.attnstudio.app.inspector.InspectorData;
import dev.attnstudio.app.inspector.TensorInspector;
import dev.attnstudio.app.panels.EntropyData;
import dev.attnstudio.app.panels.EntropyPanel;
import dev.attnstudio.app.panels.GenerationData;
import dev.attnstudio.app.panels.GenerationPanel;
import dev.attnstudio.app.panels.KvCacheData;
import dev.attnstudio.app.panels.KvCachePanel;
import dev.attnstudio.app.panels.MaskData;
import dev.attnstudio.app.panels.MaskPanel;
import dev.attnstudio.app.pipeline.PipelineData;
import dev.attnstudio.app.pipeline.PipelineView;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableValue;
import javafx.scene.Node;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The real views in the window's tabs, each fed by a {@link ViewFeed} whose factory calls the view package's
 * engine-thread factory with the shared selection, and active only while its tab shows. Clicks in the views move
 * the shared selection (layer, head), jump the cursor (pipeline) or generate (generation panel); what the mouse
 * hovers is read out in {@link #hoverProperty()}.
 */
final class TabViews {

    private final MainViewModel vm;
    private final AttentionSettings settings = new AttentionSettings();
    private final Map<ViewTab, Node> views = new EnumMap<>(ViewTab.class);
    private final ReadOnlyStringWrapper hover = new ReadOnlyStringWrapper(this, "hover", "");

    final AttentionGridView grid = new AttentionGridView(settings);
    final HeadDetailView head = new HeadDetailView(settings);
    final HeadLinesView lines = new HeadLinesView();
    final StageStripView stages = new StageStripView(settings);
    final MaskPanel mask = new MaskPanel();
    final KvCachePanel kvCache = new KvCachePanel();
    final EntropyPanel entropy = new EntropyPanel();
    final GenerationPanel generation = new GenerationPanel();
    final PipelineView pipeline = new PipelineView();
    final TensorInspector inspector = new TensorInspector();

    /** What the engine-thread factories read of the panels' own choices. */
    private volatile SamplingConfig sampling;
    private volatile int kvLayer;
    private volatile int kvHead;

    TabViews(MainViewModel vm) {
        this.vm = vm;
        head.setId("headDetail");
        grid.setId("attentionGrid");
        lines.setId("headLines");
        stages.setId("stageStrip");
        mask.setId("maskPanel");
        kvCache.setId("kvCachePanel");
        entropy.setId("entropyPanel");
        generation.setId("generationPanel");
        pipeline.setId("pipelineView");
        inspector.setId("tensorInspector");
        views.put(ViewTab.ATTENTION_GRID, grid);
        views.put(ViewTab.HEAD, head);
        views.put(ViewTab.HEAD_VIEW, lines);
        views.put(ViewTab.STAGES, stages);
        views.put(ViewTab.MASK, mask);
        views.put(ViewTab.KV_CACHE, kvCache);
        views.put(ViewTab.ENTROPY, entropy);
        views.put(ViewTab.GENERATION, generation);
        views.put(ViewTab.PIPELINE, pipeline);
        views.put(ViewTab.INSPECTOR, inspector);
        sampling = generation.samplingConfigProperty().get();
    }

    /** The shared colour scale and pooling of the attention maps. */
    AttentionSettings settings() {
        return settings;
    }

    /** The view in a tab. */
    Node view(ViewTab tab) {
        return views.get(tab);
    }

    /** What the mouse is over in the shown view (query, key, weight...), or empty. */
    ReadOnlyStringProperty hoverProperty() {
        return hover.getReadOnlyProperty();
    }

    /** The sampling settings of the generation panel (for Run > Generate one token). */
    SamplingConfig sampling() {
        return sampling;
    }

    /** Puts every view into its tab and feeds it while the tab shows. */
    void install(MainView window) {
        bind(window, ViewTab.ATTENTION_GRID, vm.feed("Attention grid", TabViews::gridData), grid.dataProperty());
        grid.selectedLayerProperty().bindBidirectional(vm.layerProperty());
        grid.selectedHeadProperty().bindBidirectional(vm.headProperty());
        grid.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) {
                window.select(ViewTab.HEAD);
            }
        });

        bind(window, ViewTab.HEAD, vm.feed("Head", TabViews::stageData), head.dataProperty());
        bind(window, ViewTab.HEAD_VIEW, vm.feed("Head view", TabViews::gridData), lines.dataProperty());
        lines.layerProperty().bindBidirectional(vm.layerProperty());
        lines.headProperty().set(vm.headProperty().get());
        vm.headProperty().addListener((obs, old, now) -> lines.headProperty().set(now.intValue()));
        bind(window, ViewTab.STAGES, vm.feed("Stages", TabViews::stageData), stages.dataProperty());

        bind(window, ViewTab.MASK, vm.feed("Mask", (s, c) -> MaskData.from(s, c.loaded(), c.source(), c.layer(), c.batchRow())),
                mask.dataProperty());
        mask.headProperty().bindBidirectional(vm.headProperty());

        kvLayer = kvCache.layerProperty().get();
        kvHead = kvCache.kvHeadProperty().get();
        // (the layer the panel asks for may not exist in a model opened since: the last one then)
        ViewFeed<KvCacheData> kv = vm.feed("KV cache", (s, c) -> KvCacheData.from(s, c.loaded(),
                Math.min(kvLayer, c.loaded().model().cacheLayers() - 1), Math.min(kvHead, c.loaded().config().nKvHeads() - 1)));
        bind(window, ViewTab.KV_CACHE, kv, kvCache.dataProperty());
        kvCache.layerProperty().addListener((obs, old, now) -> {
            kvLayer = now.intValue();
            vm.refresh();
        });
        kvCache.kvHeadProperty().addListener((obs, old, now) -> {
            kvHead = now.intValue();
            vm.refresh();
        });

        bind(window, ViewTab.ENTROPY, vm.feed("Entropy", (s, c) -> EntropyData.from(s, c.loaded(), c.source(), c.batchRow())),
                entropy.dataProperty());
        entropy.selectedLayerProperty().bindBidirectional(vm.layerProperty());
        entropy.selectedHeadProperty().bindBidirectional(vm.headProperty());

        bind(window, ViewTab.GENERATION, vm.feed("Generation",
                (s, c) -> GenerationData.from(s, c.loaded(), sampling, GenerationData.TOP)), generation.dataProperty());
        generation.samplingConfigProperty().addListener((obs, old, now) -> {
            sampling = now;
            vm.refresh();
        });
        generation.onGenerateProperty().set(vm::generate);
        generation.busyProperty().bind(vm.busyProperty().or(vm.readyProperty().not()));

        bind(window, ViewTab.PIPELINE, vm.feed("Pipeline", (s, c) -> PipelineData.from(s)), pipeline.dataProperty());
        pipeline.setOnJump(target -> vm.jumpTo(target.group(), target.index()));

        bind(window, ViewTab.INSPECTOR, vm.feed("Inspector", (s, c) -> InspectorData.from(s, inspectorRows(s, c))),
                inspector.dataProperty());

        // (the entropy panel's text describes the selected head, not the mouse: it stays in the panel)
        followHover(head.readoutProperty(), stages.readoutProperty(), mask.hoverTextProperty(), kvCache.hoverTextProperty());
        window.shownViewProperty().addListener((obs, old, now) -> hover.set(""));
    }

    private static AttentionGridData gridData(Stepper s, ViewContext c) {
        return AttentionGridData.from(s, c.source(), c.batchRow(), c.queryLabels(), c.keyLabels());
    }

    private static StageData stageData(Stepper s, ViewContext c) {
        return StageData.from(s, c.source(), c.layer(), c.head(), c.batchRow(), c.queryLabels(), c.keyLabels());
    }

    /** Row labels of the tensor under the cursor: the decoder's tokens for an encoder-decoder's decoder hooks. */
    private static List<List<String>> inspectorRows(Stepper s, ViewContext c) {
        var at = s.current();
        if (at != null && at.name().startsWith("decoder.") && !c.decoderTokens().isEmpty()) {
            return List.of(c.decoderTokens().stream().map(TokenChip::text).toList());
        }
        return c.rowLabels();
    }

    private <T> void bind(MainView window, ViewTab tab, ViewFeed<T> feed, javafx.beans.property.ObjectProperty<T> target) {
        target.bind(feed.dataProperty());
        window.activateWhileShown(tab, feed);
        feed.errorProperty().addListener((obs, old, error) -> {
            if (error != null) {
                vm.showStatus(Status.error(error));
            }
        });
    }

    @SafeVarargs
    private void followHover(ObservableValue<String>... readouts) {
        for (ObservableValue<String> r : readouts) {
            // the views' hints ("Hover a cell...") stay in the views; the status bar reads out values only
            r.addListener((obs, old, now) -> hover.set(now == null || now.startsWith("Hover") ? "" : now));
        }
    }
}
