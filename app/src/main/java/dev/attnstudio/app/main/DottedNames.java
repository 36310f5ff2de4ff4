package dev.attnstudio.app.main;

import javafx.beans.value.ObservableValue;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.text.Text;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Lays a dotted hook name or pattern ({@code decoder.blocks.0.cross_attn.hook_pattern}) out in a narrow column:
 * whole when it fits, else broken after its dots onto as many lines as it needs, each as full as it can be. Nothing
 * is left out, so a name is always read whole (a part longer than the column is the label's own wrapping to do).
 */
final class DottedNames {

    private DottedNames() {
    }

    /**
     * @param name    the name
     * @param room    the width there is, in the unit {@code measure} returns
     * @param measure the width of a text in the label's font
     * @return the name with a line break after some of its dots
     */
    static String wrap(String name, double room, ToDoubleFunction<String> measure) {
        if (measure.applyAsDouble(name) <= room) {
            return name;
        }
        StringBuilder out = new StringBuilder();
        String line = "";
        int start = 0;
        while (start < name.length()) {
            int dot = name.indexOf('.', start);
            String part = dot < 0 ? name.substring(start) : name.substring(start, dot + 1);
            start += part.length();
            if (!line.isEmpty() && measure.applyAsDouble(line + part) > room) {
                out.append(line).append('\n');
                line = "";
            }
            line += part;
        }
        return out.append(line).toString();
    }

    /**
     * Keeps a label showing some names, one per line, each broken after its dots to fit the label's width as it
     * changes (the current step's name and inputs).
     */
    static void show(Label label, ObservableValue<String> names) {
        label.setWrapText(true); // a part wider than the whole column still wraps rather than being cut
        label.setMinWidth(0);
        label.setMinHeight(Region.USE_PREF_SIZE);
        Text measure = new Text();
        Runnable fit = () -> {
            String value = names.getValue() == null ? "" : names.getValue();
            double room = label.getWidth() - label.snappedLeftInset() - label.snappedRightInset() - 1;
            if (room <= 0) {
                label.setText(value);
                return;
            }
            measure.setFont(label.getFont());
            label.setText(Arrays.stream(value.split("\n", -1)).map(line -> wrap(line, room, text -> {
                measure.setText(text);
                return measure.getLayoutBounds().getWidth();
            })).collect(Collectors.joining("\n")));
        };
        names.addListener((obs, old, now) -> fit.run());
        label.widthProperty().addListener((obs, old, now) -> fit.run());
        label.fontProperty().addListener((obs, old, now) -> fit.run());
        fit.run();
    }
}
