package dev.attnstudio.app.main;

import dev.attnstudio.app.heatmap.HiddenPatches;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The step under the cursor, as plain data.
 *
 * @param index           position in the pass (0-based)
 * @param total           steps in the pass
 * @param math            one line saying what the step computes
 * @param inputs          hook names (or {@code input_ids}) it reads
 * @param shape           the actual shape of its output
 * @param documentedShape the shape in letters ({@code [B, H, T, K]}), or empty for names the table lacks
 * @param meaning         what the hook holds, from the hook table, or empty
 * @param patches         the labels of the interventions that replaced the step's value; empty when none did
 */
public record StepDetails(int index, int total, String name, String unit, String math, List<String> inputs,
                          long[] shape, String documentedShape, String meaning, List<String> patches) {

    public StepDetails {
        inputs = List.copyOf(inputs);
        shape = shape.clone();
        patches = List.copyOf(patches);
    }

    /** "Patched by: ablate L1.H2 (zero)", or empty when no intervention replaced the value. */
    public String patchText() {
        return patches.isEmpty() ? "" : "Patched by: " + String.join("; ", HiddenPatches.shown(patches));
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** {@code [1, 4, 9, 9]}, followed by the letters when known: {@code [1, 4, 9, 9]  [B, H, T, K]}. */
    public String shapeText() {
        String actual = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
        return documentedShape.isEmpty() ? actual : actual + "   " + documentedShape;
    }

    public String inputsText() {
        return inputs.isEmpty() ? "(none)" : String.join(",  ", inputs);
    }
}
