package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.engine.intervene.HeadAblation;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.engine.intervene.MaskOverride;
import dev.attnstudio.engine.intervene.Switches;
import javafx.collections.ObservableList;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;

import java.util.List;
import java.util.Locale;

/**
 * The Interventions menu (menu bar) and its twin on the toolbar: scaling and positions off, a mask override, the six
 * mask bugs, the ablated heads, and clearing them all. Both read and change {@link InterventionsViewModel}; a change
 * starts the pass over.
 */
final class InterventionMenus {

    /** The mask overrides offered, besides the model's own mask. */
    private static final List<MaskOverride> MASKS = List.of(MaskOverride.BIDIRECTIONAL, MaskOverride.CAUSAL,
            MaskOverride.window(2), MaskOverride.window(4), MaskOverride.window(8));

    private final MainViewModel vm;

    InterventionMenus(MainViewModel vm) {
        this.vm = vm;
    }

    /** The menu bar's Interventions menu (with the keyboard shortcuts). */
    Menu menu() {
        Menu menu = new Menu("Interventions");
        menu.setId("interventionsMenu");
        fill(menu.getItems(), "", true);
        menu.disableProperty().bind(vm.status().readyProperty().not());
        return menu;
    }

    /** The toolbar's button: the same choices; its text counts what is on. */
    MenuButton button() {
        MenuButton button = new MenuButton();
        button.setId("interventionsButton");
        fill(button.getItems(), "Tool", false);
        Runnable label = () -> {
            int n = vm.interventions().get().applied().size();
            button.setText(n == 0 ? "Interventions" : "Interventions (" + n + ")");
            button.pseudoClassStateChanged(Styles.PATCHED, n > 0);
        };
        vm.interventions().interventionsProperty().addListener((obs, old, now) -> label.run());
        label.run();
        button.setTooltip(new Tooltip("Change the forward pass: ablate heads, turn off scaling or positions, override "
                + "the mask, inject a mask bug. The pass starts over under them."));
        button.disableProperty().bind(vm.status().readyProperty().not());
        return button;
    }

    private void fill(ObservableList<MenuItem> items, String idSuffix, boolean withKeys) {
        CheckMenuItem scaling = toggle("noScaling" + idSuffix + "Item", "Turn off the \u00f7\u221ad_head scaling",
                Switches.NO_SCALING);
        CheckMenuItem positions = toggle("noPositions" + idSuffix + "Item", "Turn off positions", Switches.NO_POSITIONS);
        MenuItem ablate = item("ablateSelected" + idSuffix + "Item", "Ablate the selected head (zero), or restore it",
                this::toggleSelectedHead);
        MenuItem clear = item("clearInterventions" + idSuffix + "Item", "Clear all interventions",
                () -> vm.interventions().clear());
        if (withKeys) {
            ablate.setAccelerator(new KeyCodeCombination(KeyCode.A, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN));
            clear.setAccelerator(new KeyCodeCombination(KeyCode.BACK_SPACE, KeyCombination.SHORTCUT_DOWN,
                    KeyCombination.SHIFT_DOWN));
        }
        items.addAll(scaling, positions, masks(idSuffix), bugs(idSuffix), new SeparatorMenuItem(), ablate,
                ablated(idSuffix), new SeparatorMenuItem(), clear);
    }

    /** A check item for an intervention without parameters, kept in step with the view model. */
    private CheckMenuItem toggle(String id, String text, Intervention i) {
        CheckMenuItem item = new CheckMenuItem(text);
        item.setId(id);
        item.setSelected(vm.interventions().isOn(i.spec()));
        item.setOnAction(e -> vm.interventions().set(i, item.isSelected()));
        vm.interventions().interventionsProperty().addListener((obs, old, now) -> item.setSelected(now.contains(i.spec())));
        return item;
    }

    /** The model's own mask, or one override: a radio group. */
    private Menu masks(String idSuffix) {
        Menu menu = new Menu("Mask");
        menu.setId("maskOverride" + idSuffix + "Menu");
        ToggleGroup group = new ToggleGroup();
        RadioMenuItem own = new RadioMenuItem("The model's own mask");
        own.setId("ownMask" + idSuffix + "Item");
        own.setToggleGroup(group);
        own.setOnAction(e -> vm.interventions().set(withMask(null)));
        menu.getItems().add(own);
        for (MaskOverride m : MASKS) {
            RadioMenuItem item = new RadioMenuItem(describe(m));
            item.setId("mask-" + m.name().replace(':', '-') + idSuffix);
            item.setToggleGroup(group);
            item.setOnAction(e -> vm.interventions().set(withMask(m)));
            menu.getItems().add(item);
        }
        Runnable sync = () -> {
            Interventions now = vm.interventions().get();
            for (int i = 0; i < MASKS.size(); i++) {
                ((RadioMenuItem) menu.getItems().get(i + 1)).setSelected(now.contains(MASKS.get(i).spec()));
            }
            own.setSelected(MASKS.stream().noneMatch(m -> now.contains(m.spec())));
        };
        vm.interventions().interventionsProperty().addListener((obs, old, now) -> sync.run());
        sync.run();
        return menu;
    }

    /** The current set with {@code mask} as its only mask override (none for null). */
    private Interventions withMask(MaskOverride mask) {
        Interventions next = vm.interventions().get();
        for (MaskOverride m : MASKS) {
            next = next.without(m.spec());
        }
        return mask == null ? next : next.with(mask);
    }

    private static String describe(MaskOverride m) {
        return switch (m.name()) {
            case "bidirectional" -> "Bidirectional: every query sees every key";
            case "causal" -> "Causal: each query sees itself and earlier keys";
            default -> "Sliding window of " + m.name().substring("window:".length()) + " keys";
        };
    }

    private Menu bugs(String idSuffix) {
        Menu menu = new Menu("Inject a mask bug");
        menu.setId("maskBugs" + idSuffix + "Menu");
        for (MaskBug bug : MaskBug.values()) {
            String name = bug.bugName();
            menu.getItems().add(toggle("bug-" + name + idSuffix, capitalize(bug.description()) + " (" + name + ")", bug));
        }
        return menu;
    }

    /** The heads ablated now, each item restoring its head. */
    private Menu ablated(String idSuffix) {
        Menu menu = new Menu("Ablated heads");
        menu.setId("ablatedHeads" + idSuffix + "Menu");
        Runnable fill = () -> {
            menu.getItems().clear();
            for (Intervention i : vm.interventions().get().applied()) {
                if (i instanceof HeadAblation a) {
                    menu.getItems().add(item("restore-" + a.spec() + idSuffix, "Restore: " + a.label(),
                            () -> vm.interventions().toggle(a)));
                }
            }
            if (menu.getItems().isEmpty()) {
                MenuItem none = new MenuItem("(none: right-click a head in the Attention grid)");
                none.setDisable(true);
                menu.getItems().add(none);
            }
        };
        vm.interventions().interventionsProperty().addListener((obs, old, now) -> fill.run());
        fill.run();
        return menu;
    }

    /** Zero-ablates the selected layer and head of the attention the views show, or restores it. */
    private void toggleSelectedHead() {
        vm.interventions().toggle(vm.selection().attentionSourceProperty().get().ablation(
                vm.selection().layerProperty().get(), vm.selection().headProperty().get(), false));
    }

    private static MenuItem item(String id, String text, Runnable action) {
        MenuItem item = new MenuItem(text);
        item.setId(id);
        item.setMnemonicParsing(false);
        item.setOnAction(e -> action.run());
        return item;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }
}
