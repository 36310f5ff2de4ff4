package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.AttentionSettings;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewKey;
import dev.attnstudio.app.views.ViewRegistry;
import dev.attnstudio.app.views.ViewSpec;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableValue;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tabbed views of the main window: one tab per registered view, in registry order, each view built with a
 * {@link TabHost} of its own. Tracks the shown view and what the mouse hovers in it.
 */
final class ViewTabs {

    private final ViewRegistry registry;
    private final TabPane pane = new TabPane();
    private final Map<String, Tab> tabs = new LinkedHashMap<>();
    private final Map<String, BuiltView> built = new HashMap<>();
    private final ReadOnlyObjectWrapper<ViewSpec> shown;
    private final ReadOnlyStringWrapper hover = new ReadOnlyStringWrapper(this, "hover", "");

    ViewTabs(MainViewModel vm, ViewRegistry registry, AttentionSettings settings) {
        this.registry = registry;
        pane.setId("viewTabs");
        pane.getStyleClass().add(Styles.VIEW_TABS);
        pane.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        VBox.setVgrow(pane, Priority.ALWAYS);
        for (ViewSpec view : registry.all()) {
            Tab tab = new Tab(view.title());
            tab.setId(view.tabId());
            tab.setTooltip(new Tooltip(view.help() + registry.key(view).map(k -> "  (" + k.text() + ")").orElse("")));
            tabs.put(view.id(), tab);
            pane.getTabs().add(tab);
        }
        shown = new ReadOnlyObjectWrapper<>(this, "shown", registry.first());
        pane.getSelectionModel().select(tabs.get(registry.first().id()));
        pane.getSelectionModel().selectedItemProperty().addListener((obs, old, now) -> registry.all().stream()
                .filter(view -> tabs.get(view.id()) == now).findFirst().ifPresent(shown::set));
        for (ViewSpec view : registry.all()) {
            Tab tab = tabs.get(view.id());
            BuiltView v = view.build().apply(new TabHost(vm, settings, tab, this::select));
            tab.setContent(v.node());
            built.put(view.id(), v);
            if (v.readout() != null) {
                follow(v.readout());
            }
        }
        shown.addListener((obs, old, now) -> hover.set(""));
    }

    TabPane pane() {
        return pane;
    }

    ViewRegistry registry() {
        return registry;
    }

    /** The tab of the view registered as {@code id}. */
    Tab tab(String id) {
        Tab tab = tabs.get(id);
        if (tab == null) {
            throw new IllegalArgumentException("no view " + id);
        }
        return tab;
    }

    /** Selects the tab of the view registered as {@code id}. */
    void select(String id) {
        pane.getSelectionModel().select(tab(id));
    }

    /** The view in the selected tab, as it changes. */
    ReadOnlyObjectProperty<ViewSpec> shownProperty() {
        return shown.getReadOnlyProperty();
    }

    /** The view as built for its tab. */
    BuiltView built(ViewSpec view) {
        return built.get(view.id());
    }

    /** The key of a view, if it has one. */
    Optional<ViewKey> key(ViewSpec view) {
        return registry.key(view);
    }

    /** What the mouse is over in the shown view (query, key, weight...), or empty. */
    ReadOnlyStringProperty hoverProperty() {
        return hover.getReadOnlyProperty();
    }

    private void follow(ObservableValue<String> readout) {
        // the views' hints ("Hover a cell...") stay in the views; the status bar reads out values only
        readout.addListener((obs, old, now) -> hover.set(now == null || now.startsWith("Hover") ? "" : now));
    }
}
