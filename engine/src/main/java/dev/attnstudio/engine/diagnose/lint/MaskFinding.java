package dev.attnstudio.engine.diagnose.lint;

import dev.attnstudio.engine.diagnose.Severity;

/**
 * One thing the mask linter found, at its worst cell, with how often it happened. Every mask finding is
 * {@link Severity#ERROR}: a run with one is computing something other than the model.
 *
 * @param kind      what was found
 * @param severity  always ERROR
 * @param site      the attention site ({@code self}, {@code encoder}, {@code decoder}, {@code cross}), or null when the
 *                  finding is not about one sub-layer (the loss, positions, a whole output)
 * @param layer     the block, or -1
 * @param head      the head of the worst cell, or -1
 * @param row       the batch row of the worst cell, or -1
 * @param query     its query position (absolute), or -1
 * @param key       its key position, or -1
 * @param magnitude how bad the worst cell is (leaked mass, |row sum - 1|, NaN count, max |difference|, ...; see message)
 * @param count     how many rows (or cells, or positions) were affected in all
 * @param pass      the step group the worst cell is in (0 = the prompt)
 * @param message   what was measured, in one line
 * @param hint      the likely bug, in one line ({@link FindingKind#hint})
 */
public record MaskFinding(FindingKind kind, Severity severity, String site, int layer, int head, int row, int query,
                          int key, double magnitude, long count, int pass, String message, String hint) {

    static MaskFinding of(FindingKind kind, String site, int layer, int head, int row, int query, int key,
                          double magnitude, long count, int pass, String message) {
        return new MaskFinding(kind, Severity.ERROR, site, layer, head, row, query, key, magnitude, count, pass, message,
                kind.hint);
    }
}
