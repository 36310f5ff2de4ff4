package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.step.TensorData;

/**
 * The vector of one position of a [B, T, d] hook that a probe names with its {@code hook}, {@code row} and
 * {@code query} parameters, read from the pass under the cursor; the norm probes compute on it.
 *
 * @param hook   the hook's name
 * @param row    the batch row
 * @param query  the position
 * @param values the d values
 */
record PositionVector(String hook, int row, int query, float[] values) {

    /** Reads it, refusing a hook that is not [B, T, d] and a position outside it, naming the parameter. */
    static PositionVector read(ProbeCall call, EngineContext ctx) {
        String hook = call.string("hook", null);
        Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
        TensorData x = ctx.read(hook, null);
        if (x.rank() != 3) {
            throw new ProbeException("hook", hook + " is " + x.shapeString() + ", not [B, T, d]");
        }
        int row = call.integer("row", 0);
        int q = call.integer("query");
        if (row < 0 || row >= x.shape()[0] || q < 0 || q >= x.shape()[1]) {
            throw new ProbeException("query", "position " + q + " of row " + row + " is outside " + x.shapeString());
        }
        return new PositionVector(hook, row, q, x.row(row, q));
    }
}
