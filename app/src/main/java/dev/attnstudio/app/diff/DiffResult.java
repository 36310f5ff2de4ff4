package dev.attnstudio.app.diff;

import dev.attnstudio.engine.diagnose.diff.CheckpointDiff;

import java.util.List;

/**
 * A finished comparison: the engine's per-head diff, and each head's pattern under both models (batch row 0), for the
 * maps side by side.
 *
 * @param rows      one label per attention layer ("L0", or "dec L1" for a site other than self-attention)
 * @param patternsA [row][head] the [T, K] pattern under A, row-major
 * @param shapes    [row] = {T, K} of that layer's patterns
 */
public record DiffResult(String nameA, String nameB, CheckpointDiff diff, List<String> rows, List<String> sites,
                         List<Integer> layers, float[][][] patternsA, float[][][] patternsB, int[][] shapes) {

    /** The engine's diff of the head in grid row {@code row}. */
    public CheckpointDiff.HeadDiff head(int row, int head) {
        return diff.head(sites.get(row), layers.get(row), head);
    }
}
