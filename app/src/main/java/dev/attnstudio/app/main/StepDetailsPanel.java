package dev.attnstudio.app.main;

import dev.attnstudio.app.theme.Styles;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/** The step under the cursor: hook name, unit, shape, what it computes, its inputs, and what the hook holds. */
final class StepDetailsPanel extends VBox {

    StepDetailsPanel(MainViewModel vm) {
        super(8);
        getStyleClass().addAll(Styles.PANEL, Styles.DETAILS_PANEL);
        Label title = new Label("Current step");
        title.getStyleClass().add(Styles.PANEL_TITLE);

        Label name = value("currentStepName", Styles.HOOK_NAME, "The hook name of the step under the cursor");
        Label unit = value("currentStepUnit", null, "The block (or embedding / unembedding) it belongs to, and its position in the pass");
        Label shape = value("currentStepShape", Styles.HOOK_NAME, "Its output's actual shape, and the shape in letters (B batch, H heads, T queries, K keys, d d_model)");
        Label math = value("currentStepMath", Styles.MATH, "What it computes");
        Label inputs = value("currentStepInputs", Styles.HOOK_NAME, "The hooks it reads");
        Label meaning = value("currentStepMeaning", null, "What the hook holds, from the hook table");
        Label patched = value("currentStepPatches", Styles.PATCH_NOTE, "The interventions that replaced this value");
        patched.setWrapText(true);
        patched.managedProperty().bind(patched.visibleProperty());
        math.setWrapText(true);
        StringProperty nameText = new SimpleStringProperty("");
        StringProperty inputsText = new SimpleStringProperty("");
        DottedNames.show(name, nameText); // long hook names break after their dots, whole
        DottedNames.show(inputs, inputsText);
        meaning.setWrapText(true);

        Runnable show = () -> {
            StepDetails s = vm.stepping().currentStepProperty().get();
            nameText.set(s != null ? s.name() : vm.status().isReady() ? "(before the first step)" : "(no model yet)");
            unit.setText(s == null ? "" : s.unit() + "   \u00b7   step " + (s.index() + 1) + " of " + s.total());
            shape.setText(s == null ? "" : s.shapeText());
            math.setText(s != null ? s.math() : vm.status().isReady() ? "Press F10 to compute the first step, F5 to run to a breakpoint." : "");
            inputsText.set(s == null ? "" : String.join("\n", s.inputs()));
            meaning.setText(s == null ? "" : s.meaning());
            patched.setText(s == null ? "" : s.patchText());
            patched.setVisible(s != null && !s.patches().isEmpty());
        };
        vm.stepping().currentStepProperty().addListener((obs, old, s) -> show.run());
        vm.status().readyProperty().addListener((obs, old, r) -> show.run());
        show.run();

        VBox fields = new VBox(2);
        String[] keyNames = {"Name", "Unit", "Shape", "Computes", "Inputs", "Holds"};
        Label[] valueLabels = {name, unit, shape, math, inputs, meaning};
        for (int i = 0; i < keyNames.length; i++) {
            Label key = new Label(keyNames[i]);
            key.getStyleClass().add(Styles.FIELD_LABEL);
            key.setLabelFor(valueLabels[i]);
            VBox.setMargin(key, new Insets(i == 0 ? 0 : 6, 0, 0, 0));
            fields.getChildren().addAll(key, valueLabels[i]);
        }
        ScrollPane scroll = new ScrollPane(fields);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add(Styles.TOKEN_SCROLL);
        VBox.setVgrow(scroll, javafx.scene.layout.Priority.ALWAYS);
        getChildren().addAll(title, patched, scroll);
        setMinWidth(200);
    }

    private static Label value(String id, String styleClass, String help) {
        Label l = new Label();
        l.setId(id);
        l.setMaxWidth(Double.MAX_VALUE);
        l.setWrapText(true); // the side panel is narrow: every value wraps rather than losing its end
        l.setMinHeight(Region.USE_PREF_SIZE);
        if (styleClass != null) {
            l.getStyleClass().add(styleClass);
        }
        l.setTooltip(new Tooltip(help));
        return l;
    }
}
