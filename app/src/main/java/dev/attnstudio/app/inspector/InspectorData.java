package dev.attnstudio.app.inspector;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.metrics.TensorStats;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The tensor of the step under the cursor, copied out for the inspector: values, shape, statistics and the
 * meaning of each axis (from the hook table's documented shape), so the value table can put positions on
 * its rows and the last axis on its columns and offer a choice for every other axis (batch row, head).
 *
 * @param tensor      the values, or null when there is nothing to show ({@code note} says why)
 * @param stats       computed in the engine ({@link TensorStats}), or null with the tensor
 * @param axes        one name per axis of the tensor: the documented letters ({@code B}, {@code H}, {@code T},
 *                    {@code K}, {@code d}...) where the documented shape has the tensor's rank, else
 *                    {@code axis 0}, {@code axis 1}...
 * @param rowAxis     the axis the table's rows run along (positions where there is one), -1 for a scalar
 * @param past        positions before this pass (a decode pass's position 0 is token {@code past})
 * @param tokens      token texts per batch row for the whole sequence, to label rows; may be empty
 * @param note        a sentence for the user when {@code tensor} is null ("not computed yet"), else empty
 */
public record InspectorData(TensorData tensor, TensorStats stats, String dtype, List<String> axes, int rowAxis,
                            int past, List<List<String>> tokens, String note) {

    /** Nothing to inspect yet. */
    public static final InspectorData EMPTY = unavailable("Step into the forward pass to inspect its tensors.");

    public InspectorData {
        axes = List.copyOf(axes);
        tokens = tokens.stream().map(List::copyOf).toList();
    }

    public static InspectorData unavailable(String note) {
        return new InspectorData(null, null, "", List.of(), -1, 0, List.of(), note);
    }

    /**
     * Reads the step under the cursor. Call on the engine thread.
     *
     * @param tokens token texts of each batch row over the whole sequence (prompt and generated tokens), for
     *               row labels; pass an empty list to label rows with positions only
     */
    public static InspectorData from(Stepper stepper, List<List<String>> tokens) {
        Stepper.StepInfo at = stepper.groups().isEmpty() ? null : stepper.current();
        if (at == null) {
            return EMPTY;
        }
        Stepper.Group group = stepper.groups().get(at.group());
        Trace trace = group.trace();
        if (!trace.available(at.name())) {
            return unavailable(at.name() + " was not kept by this pass (capture " + trace.capture()
                    + "); step with capture COMPACT or FULL to inspect it.");
        }
        return of(stepper.read(at.name()), group.past(), tokens);
    }

    /** Describes a tensor already copied out; computes its statistics (engine code, plain arrays). */
    public static InspectorData of(TensorData tensor, int past, List<List<String>> tokens) {
        List<String> axes = HookName.axes(tensor.name(), tensor.rank());
        return new InspectorData(tensor, TensorStats.of(tensor, TensorStats.DEFAULT_BINS), "float32", axes,
                rowAxis(axes), past, tokens, "");
    }

    public boolean available() {
        return tensor != null;
    }

    /** The first positional axis (T, K-T or K) other than the last; else the second-to-last axis. */
    static int rowAxis(List<String> axes) {
        for (int i = 0; i < axes.size() - 1; i++) {
            if (isPositions(axes.get(i))) {
                return i;
            }
        }
        return axes.isEmpty() ? -1 : Math.max(0, axes.size() - 2);
    }

    private static boolean isPositions(String axis) {
        return axis.equals("T") || axis.equals("K") || axis.equals("K-T");
    }

    /** Axes the user chooses an index on: all but the row axis and the last (column) axis. */
    public int[] selectorAxes() {
        int rank = axes.size();
        return IntStream.range(0, rank)
                .filter(a -> a != rowAxis && a != rank - 1)
                .toArray();
    }

    /** Whether the table's rows run along an axis of their own (not so for a vector or a scalar: one row). */
    public boolean hasRowAxis() {
        return rowAxis >= 0 && rowAxis < axes.size() - 1;
    }

    /** Rows of the value table. */
    public int rows() {
        return hasRowAxis() ? (int) tensor.shape()[rowAxis] : 1;
    }

    /** Columns of the value table: the size of the last axis (1 for a scalar). */
    public int columns() {
        return axes.isEmpty() ? 1 : (int) tensor.shape()[axes.size() - 1];
    }

    /**
     * The value at a table cell.
     *
     * @param selection one index per axis; the row and column axes' entries are ignored
     */
    public float value(long[] selection, int row, int column) {
        int rank = axes.size();
        if (rank == 0) {
            return tensor.values()[0];
        }
        long[] idx = Arrays.copyOf(selection, rank);
        if (hasRowAxis()) {
            idx[rowAxis] = row;
        }
        idx[rank - 1] = column;
        return tensor.get(idx);
    }

    /** A row's label: its position and, when known, its token ("5 'fox'"). */
    public String rowLabel(long[] selection, int row) {
        if (!hasRowAxis()) {
            return "";
        }
        String axis = axes.get(rowAxis);
        if (!isPositions(axis)) {
            return axis + " " + row;
        }
        int position = axis.equals("T") ? past + row : row;
        int batchAxis = axes.indexOf("B") >= 0 ? axes.indexOf("B") : axes.indexOf("B or 1");
        int batch = batchAxis >= 0 && selection.length > batchAxis ? (int) selection[batchAxis] : 0;
        if (batch < tokens.size() && position < tokens.get(batch).size()) {
            return position + " \u2018" + tokens.get(batch).get(position) + "\u2019";
        }
        return String.valueOf(position);
    }

    /** A word for an axis letter, for the selectors: "batch row", "head". */
    public static String axisTitle(String axis) {
        return switch (axis) {
            case "B", "B or 1" -> "batch row";
            case "H" -> "head";
            case "Hkv" -> "key/value head";
            case "1" -> "broadcast axis";
            default -> axis;
        };
    }

    /** The documented shape of the inspected hook, for the header; {@code ?} for hooks outside the table. */
    public String documentedShape() {
        return tensor == null ? "" : HookName.documentedShape(tensor.name());
    }
}
