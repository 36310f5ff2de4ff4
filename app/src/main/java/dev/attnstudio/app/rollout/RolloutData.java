package dev.attnstudio.app.rollout;

import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.Memo;
import dev.attnstudio.app.diagnostics.PromptKey;
import dev.attnstudio.app.diagnostics.TokenText;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.diagnose.Work;
import dev.attnstudio.engine.diagnose.rollout.AttentionFlow;
import dev.attnstudio.engine.diagnose.rollout.AttentionRollout;
import dev.attnstudio.engine.diagnose.rollout.LayerPatterns;
import dev.attnstudio.engine.diagnose.rollout.Rollout;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One token x token matrix of the Rollout view (rows: output positions, columns: input tokens, real tokens only), as
 * the engine computed it, with the decoder caveat and, where the mode cannot be shown, why.
 *
 * @param mode    what the matrix is
 * @param n       tokens (columns); 0 when the mode is not available
 * @param rows    output positions shown: n, or for flow beyond {@link #FULL_FLOW_TOKENS} tokens the one output the
 *                engine's report uses (a decoder's last token, an encoder's first)
 * @param values  row-major rows x n
 * @param labels  the n tokens
 * @param rowLabels the rows' tokens
 * @param causal  whether the rolled-out stack is causal (the caveat and the normalised variant apply)
 * @param caveat  the engine's caveat for causal stacks, or null
 * @param note    why the mode shows nothing (flow beyond 64 tokens, a decoder-only mode on an encoder), or null
 * @param title   what the map shows, e.g. "rollout of 2 layers"
 */
public record RolloutData(RolloutMode mode, int n, int rows, float[] values, List<String> labels,
                          List<String> rowLabels, boolean causal, String caveat, String note, String title) {

    /**
     * Tokens up to which flow is computed for every output position (one max-flow per input token and output: about
     * 1.3 s at 25 tokens on two cores, growing with the cube); beyond, for the one output the report uses.
     */
    public static final int FULL_FLOW_TOKENS = 24;

    public RolloutData {
        labels = List.copyOf(labels);
        rowLabels = List.copyOf(rowLabels);
    }

    private RolloutData(RolloutMode mode, int n, float[] values, List<String> labels, boolean causal, String caveat,
                        String note, String title) {
        this(mode, n, n, values, labels, labels, causal, caveat, note, title);
    }

    /** The output position flow is computed for beyond {@link #FULL_FLOW_TOKENS}: a decoder's last, an encoder's first. */
    static int flowQuery(LayerPatterns p) {
        return p.causal() ? p.tokens() - 1 : 0;
    }

    /** The patterns and rollout of a prompt: what every mode reads. */
    record Computed(LayerPatterns patterns, Rollout rollout, List<String> labels, String stack) {
    }

    /** Engine thread only: the mode's matrix for the prompt pass of {@code stepper}, batch row and head of the context. */
    public static RolloutData from(Stepper stepper, ViewContext c, RolloutMode mode, Memo<Computed> rollouts,
                                   Memo<float[]> flows, LongWork work) {
        PromptKey key = PromptKey.of(c.loaded(), stepper, c.batchRow());
        Batch batch = stepper.groups().get(0).inputs();
        Computed r = rollouts.get(key, () -> compute(c.loaded(), batch, Math.min(c.batchRow(), batch.size() - 1),
                stepper.interventions()));
        if (mode == RolloutMode.FLOW && work.isStopped()) {
            return null;
        }
        return of(r, mode, c.layer(), c.head(), () -> flows.get(key, () -> work.run("attention flow",
                w -> flow(r.patterns(), w))));
    }

    /** Runs the prompt (under the interventions) and rolls out every layer and head. */
    static Computed compute(LoadedModel loaded, Batch batch, int row, dev.attnstudio.engine.intervene.Interventions iv) {
        Capabilities caps = loaded.model().capabilities();
        Stepper.Options o = Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false);
        if (iv != null) {
            o = o.withInterventions(iv);
        }
        try (Stepper s = new Stepper(loaded.model(), o)) {
            s.reset(batch);
            s.runToEnd();
            // an encoder-decoder's prompt pass gives its decoder the start token alone: roll out its encoder
            LayerPatterns p = caps.readsSource()
                    ? LayerPatterns.of(PassView.of(s).get(0), AttentionLayer.all(caps).stream()
                    .filter(l -> !l.site().cross() && l.siteLabel().equals("encoder")).toList(), row)
                    : LayerPatterns.of(caps, s, row);
            Rollout r = AttentionRollout.of(p, loaded.model().manager(), true);
            long[] ids = batch.ids()[row];
            List<String> labels = new ArrayList<>();
            for (int at : p.positions()) {
                labels.add(TokenText.of(loaded.tokenizer(), ids[at]));
            }
            return new Computed(p, r, labels, caps.readsSource() ? "encoder " : "");
        }
    }

    /**
     * Attention flow, each row normalised: of every output position (row-major n x n) up to {@link #FULL_FLOW_TOKENS}
     * tokens, else of {@link #flowQuery} alone (1 x n); empty beyond the engine's limit.
     */
    static float[] flow(LayerPatterns p) {
        return flow(p, Work.NONE);
    }

    /** {@link #flow(LayerPatterns)}, telling {@code work} before each output's max-flows (which may stop it). */
    static float[] flow(LayerPatterns p, Work work) {
        int n = p.tokens();
        if (n > AttentionFlow.MAX_TOKENS) {
            return new float[0];
        }
        boolean all = n <= FULL_FLOW_TOKENS;
        float[] out = new float[(all ? n : 1) * n];
        for (int q = all ? 0 : flowQuery(p), r = 0; r * n < out.length; q++, r++) {
            work.step("attention flow", r, out.length / n);
            double[] f = AttentionFlow.of(p, q).normalized();
            for (int j = 0; j < n; j++) {
                out[r * n + j] = (float) f[j];
            }
        }
        return out;
    }

    static RolloutData of(Computed c, RolloutMode mode, int layer, int head, java.util.function.Supplier<float[]> flow) {
        Rollout r = c.rollout();
        int n = r.tokens();
        boolean causal = c.patterns().causal();
        String caveat = r.caveat();
        int layers = r.perLayer().length;
        return switch (mode) {
            case MODEL -> new RolloutData(mode, n, r.perLayer()[layers - 1], c.labels(), causal, caveat, null,
                    String.format(Locale.ROOT, "%srollout of %d layer%s", c.stack(), layers, layers == 1 ? "" : "s"));
            case FIELD_NORMALISED -> r.fieldNormalized() == null
                    ? empty(mode, c, causal, caveat, "The receptive-field normalised variant is for causal (decoder)"
                    + " attention; this stack is bidirectional, so the plain rollout applies.")
                    : new RolloutData(mode, n, r.fieldNormalized(), c.labels(), causal, caveat, null,
                    "rollout normalised by each row's receptive field");
            case HEAD -> {
                int l = Math.min(layer, layers - 1);
                int h = Math.min(head, r.perHead()[l].length - 1);
                yield new RolloutData(mode, n, r.perHead()[l][h], c.labels(), causal, caveat, null,
                        String.format(Locale.ROOT, "L%d H%d rolled out through the layers below: A(%d,%d) R(%d)", l, h,
                                l, h, l - 1));
            }
            case FLOW -> {
                if (n > AttentionFlow.MAX_TOKENS) {
                    yield empty(mode, c, causal, caveat, "Attention flow solves one max-flow problem per input token; it is"
                            + " limited to " + AttentionFlow.MAX_TOKENS + " tokens and this prompt has " + n
                            + ". Use the rollout (no limit) or a shorter prompt.");
                }
                if (n <= FULL_FLOW_TOKENS) {
                    yield new RolloutData(mode, n, flow.get(), c.labels(), causal, caveat, null,
                            String.format(Locale.ROOT, "%sattention flow through %d layers (each row normalised)", c.stack(),
                                    layers));
                }
                int q = flowQuery(c.patterns());
                yield new RolloutData(mode, n, 1, flow.get(), c.labels(), List.of(c.labels().get(q)), causal, caveat,
                        String.format(Locale.ROOT, "Flow of output %d only: for every output it would take one max-flow per"
                                + " token and output (%d tokens > %d).", q, n, FULL_FLOW_TOKENS),
                        String.format(Locale.ROOT, "attention flow into output %d through %d layers", q, layers));
            }
        };
    }

    private static RolloutData empty(RolloutMode mode, Computed c, boolean causal, String caveat, String note) {
        return new RolloutData(mode, 0, new float[0], List.of(), causal, caveat, note, "");
    }
}
