package dev.attnstudio.engine.replay;

import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.step.TensorData;

import java.util.List;

/**
 * The passes of a recorded run, as a {@link ReplayModel} replays them: each pass's steps in order (with what the
 * step list shows of them) and the values that were recorded. Implemented over a trace bundle by the app.
 */
public interface Recording {

    /**
     * One step as the step list describes it.
     *
     * @param unit  the block part it belongs to ("embed", "blocks.0.attn", ...)
     * @param site  where it sits (stack, layer, sub-layer)
     * @param norm  the normalisation of a norm step, else null
     * @param scale the factor of a scale step, else NaN
     */
    record Step(String name, String unit, Op.Kind kind, String math, Op.Site site, Op.NormType norm, float scale) {
    }

    /** How many passes were recorded: the prompt's, then one per generated token. */
    int passes();

    /** Positions already in the KV cache before a pass (0 for the prompt's). */
    int past(int pass);

    /** Every step of a pass's program, in order, recorded or not. */
    List<Step> steps(int pass);

    /** Whether a pass recorded a step's value. */
    boolean recorded(int pass, String name);

    /** A recorded value. */
    TensorData read(int pass, String name);
}
