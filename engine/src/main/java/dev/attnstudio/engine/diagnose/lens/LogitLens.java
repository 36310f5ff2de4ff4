package dev.attnstudio.engine.diagnose.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.diagnose.Work;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The logit lens (nostalgebraist 2020) and its mid-block variant: the residual stream at every stage of every block
 * of the output stack ({@code hook_resid_pre}, {@code hook_resid_mid}, T5's {@code hook_resid_mid_cross},
 * {@code hook_resid_post}) read as if it were the last one: softmax(LN_f(h) W_U (+ b_U)). LN_f and W_U are the model's
 * own: the pass's final-norm step and unembedding step are run on the intermediate residual (LayerNorm or RMSNorm;
 * T5's decoder norm and its d_model^-0.5 scaling before a tied unembedding come with them), so nothing is
 * re-implemented and no engine accessor is needed.
 *
 * <p>Faithfulness per stage: KL(p_final || p_lens) = sum_v p_final(v) [log p_final(v) - log p_lens(v)] at each
 * position (the tuned lens' training loss, Belrose et al. 2023), and how often the lens' top token is the model's.
 * The last {@code hook_resid_post} reproduces the model's own logits (KL 0).
 *
 * <p>Only models with an unembedding (decoders, encoder-decoders) have a lens.
 */
public final class LogitLens {

    /**
     * One residual-stream stage read through the lens.
     *
     * @param hook        the residual hook
     * @param layer       its block
     * @param stage       {@code pre}, {@code mid}, {@code mid_cross} or {@code post}
     * @param kl          [T] KL(final || lens) at each position (nats)
     * @param meanKl      mean of kl
     * @param top1Agrees  share of positions whose top lens token is the model's top token
     * @param topIds      [T][k] the lens' most likely tokens, most likely first
     * @param topProbs    [T][k] their probabilities
     * @param topText     [T][k] their text, or null without a tokenizer
     */
    public record Stage(String hook, int layer, String stage, double[] kl, double meanKl, double top1Agrees,
                        long[][] topIds, float[][] topProbs, String[][] topText) {
    }

    private LogitLens() {
    }

    /**
     * The lens over the prompt pass of a completed stepper, batch row {@code row}.
     *
     * @param decode token text for the top tokens, or null
     */
    public static List<Stage> of(TransformerModel model, Stepper stepper, int row, int k, LongFunction<String> decode) {
        return of(model, stepper, row, k, decode, Work.NONE);
    }

    /** As {@link #of(TransformerModel, Stepper, int, int, LongFunction)}, telling {@code work} before each layer. */
    public static List<Stage> of(TransformerModel model, Stepper stepper, int row, int k, LongFunction<String> decode,
                                 Work work) {
        Capabilities c = model.capabilities();
        if (!c.generates()) {
            throw new IllegalArgumentException("the logit lens needs an unembedding; a " + c.family()
                    + " encoder has none (its output is the last hidden state)");
        }
        Trace trace = stepper.groups().get(0).trace();
        if (!trace.complete()) {
            throw new IllegalStateException("run the prompt's pass to the end first");
        }
        Program program = trace.program();
        Op unembed = program.op(program.indexOf(HookName.Model.LOGITS.id));
        Op norm = program.op(program.indexOf(unembed.inputs().get(0)));
        HookName.Stack stack = c.outputStack().id();
        List<Stage> out = new ArrayList<>();
        try (NDManager m = model.manager().newSubManager()) {
            TensorData logits = trace.read(HookName.Model.LOGITS.id, "{}:{}", row, row + 1); // [1, T, V]
            NDArray finalLogp = m.create(logits.values(), new Shape(logits.shape())).logSoftmax(-1);
            int[] finalTop = argMax(finalLogp);
            for (int l = 0; l < c.outputStack().layers(); l++) {
                work.step("reading each layer through the lens", l, c.outputStack().layers());
                for (HookName.Block b : stages(c)) {
                    String hook = stack == null ? b.at(l) : stack.at(b, l);
                    if (program.indexOf(hook) < 0) {
                        continue;
                    }
                    TensorData resid = trace.read(hook, "{}:{}", row, row + 1);          // [1, T, d]
                    NDArray x = m.create(resid.values(), new Shape(resid.shape()));
                    NDArray normed = norm.kernel().apply(List.of(x), m);
                    NDArray logp = unembed.kernel().apply(List.of(normed), m).logSoftmax(-1); // [1, T, V]
                    out.add(stage(hook, l, b, finalLogp, logp, finalTop, k, decode));
                }
            }
        }
        return out;
    }

    private static List<HookName.Block> stages(Capabilities c) {
        return c.readsSource()
                ? List.of(HookName.Block.RESID_PRE, HookName.Block.RESID_MID, HookName.Block.RESID_MID_CROSS,
                HookName.Block.RESID_POST)
                : List.of(HookName.Block.RESID_PRE, HookName.Block.RESID_MID, HookName.Block.RESID_POST);
    }

    private static Stage stage(String hook, int layer, HookName.Block b, NDArray finalLogp, NDArray logp, int[] finalTop,
                               int k, LongFunction<String> decode) {
        float[] kl = finalLogp.exp().mul(finalLogp.sub(logp)).sum(new int[] {2}).toFloatArray(); // [T]
        float[] probs = logp.exp().toFloatArray();
        int t = kl.length;
        int v = probs.length / t;
        long[][] ids = new long[t][];
        float[][] p = new float[t][];
        String[][] text = decode == null ? null : new String[t][];
        double sum = 0;
        int agree = 0;
        double[] klD = new double[t];
        for (int pos = 0; pos < t; pos++) {
            klD[pos] = kl[pos];
            sum += kl[pos];
            int[] top = topK(probs, pos * v, v, Math.min(k, v));
            ids[pos] = new long[top.length];
            p[pos] = new float[top.length];
            if (text != null) {
                text[pos] = new String[top.length];
            }
            for (int i = 0; i < top.length; i++) {
                ids[pos][i] = top[i];
                p[pos][i] = probs[pos * v + top[i]];
                if (text != null) {
                    text[pos][i] = decode.apply(top[i]);
                }
            }
            if (top.length > 0 && top[0] == finalTop[pos]) {
                agree++;
            }
        }
        String stage = switch (b) {
            case RESID_PRE -> "pre";
            case RESID_MID -> "mid";
            case RESID_MID_CROSS -> "mid_cross";
            default -> "post";
        };
        return new Stage(hook, layer, stage, klD, sum / t, (double) agree / t, ids, p, text);
    }

    /** The arg-max over the vocabulary at each position of [1, T, V]. */
    private static int[] argMax(NDArray logp) {
        long[] idx = logp.argMax(-1).toLongArray();
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = (int) idx[i];
        }
        return out;
    }

    /** Indices of the k largest of values[offset .. offset + n), largest first. */
    static int[] topK(float[] values, int offset, int n, int k) {
        int[] best = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            float x = values[offset + i];
            if (size == k && !(x > values[offset + best[k - 1]])) {
                continue;
            }
            int at = size < k ? size++ : k - 1;
            while (at > 0 && x > values[offset + best[at - 1]]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        return java.util.Arrays.copyOf(best, size);
    }
}
