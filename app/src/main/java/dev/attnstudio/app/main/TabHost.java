package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.views.ViewCell;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewHost;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.sampling.SamplingConfig;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableValue;
import javafx.scene.control.Tab;

import java.util.function.Consumer;

/** What one view in a tab of the main window may use: its feed runs only while its tab is selected. */
final class TabHost implements ViewHost {

    private final MainViewModel vm;
    private final AttentionSettings settings;
    private final Tab tab;
    private final Consumer<String> show;

    /**
     * @param show selects a view's tab by its id
     */
    TabHost(MainViewModel vm, AttentionSettings settings, Tab tab, Consumer<String> show) {
        this.vm = vm;
        this.settings = settings;
        this.tab = tab;
        this.show = show;
    }

    @Override
    public <T> ViewFeed<T> feed(String name, ViewFeed.Factory<T> factory) {
        ViewFeed<T> feed = vm.feeds().add(name, factory);
        feed.activeProperty().bind(tab.selectedProperty()); // hidden views cost no engine time
        feed.errorProperty().addListener((obs, old, error) -> {
            if (error != null) {
                vm.status().show(Status.error(error));
            }
        });
        return feed;
    }

    @Override
    public IntegerProperty layerProperty() {
        return vm.selection().layerProperty();
    }

    @Override
    public IntegerProperty headProperty() {
        return vm.selection().headProperty();
    }

    @Override
    public ObjectProperty<ViewCell> cellProperty() {
        return vm.selection().cellProperty();
    }

    @Override
    public AttentionSettings attentionSettings() {
        return settings;
    }

    @Override
    public ObjectProperty<SamplingConfig> samplingProperty() {
        return vm.stepping().samplingProperty();
    }

    @Override
    public ObservableBooleanValue commandsDisabled() {
        return vm.stepping().stepDisabled();
    }

    @Override
    public void refresh() {
        vm.refresh();
    }

    @Override
    public void generate(SamplingConfig config) {
        vm.stepping().generate(config);
    }

    @Override
    public void generate(SamplingConfig config, int tokens) {
        vm.stepping().generate(config, tokens);
    }

    @Override
    public IntegerProperty generateCountProperty() {
        return vm.stepping().generateCountProperty();
    }

    @Override
    public void jumpTo(int group, int index) {
        vm.stepping().jumpTo(group, index);
    }

    @Override
    public ObjectProperty<AttentionSource> attentionSourceProperty() {
        return vm.selection().attentionSourceProperty();
    }

    @Override
    public ObservableValue<Interventions> interventionsProperty() {
        return vm.interventions().interventionsProperty();
    }

    @Override
    public void toggleIntervention(Intervention intervention) {
        vm.interventions().toggle(intervention);
    }

    @Override
    public void show(String viewId) {
        show.accept(viewId);
    }
}
