package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.expr.Comparison;
import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.lessons.check.SharedModels;
import dev.attnstudio.lessons.format.ModelRef;
import dev.attnstudio.lessons.format.Prompt;
import dev.attnstudio.lessons.run.EngineActions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probes against independent computations on tiny-gpt: the engine's expression evaluator, the engine's own buggy runs,
 * and hand-computed formulas. Mistaken variants must reproduce what the mistake really computes.
 */
class ProbesOnModelTest {

    private final List<Stepper> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Stepper::close);
    }

    /** A context on tiny-gpt, run to the end on "And God said" under these interventions. */
    private EngineContext run(String... interventions) {
        LoadedModel model = SharedModels.pool().get(new ModelRef.Sample("tiny-gpt"));
        Interventions iv = Interventions.NONE;
        for (String s : interventions) {
            iv = iv.with(Interventions.parse(s));
        }
        Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withInterventions(iv));
        open.add(s);
        s.reset(EngineActions.batch(Prompt.text("And God said"), model));
        s.runToEnd();
        return new EngineContext(model, s, Map.of());
    }

    private static Answer eval(EngineContext ctx, String probe, Object... args) {
        return ProbeCatalogue.find(probe).orElseThrow().evaluate(ProbeCall.of(probe, args), ctx).answer();
    }

    private static TensorData tensor(EngineContext ctx, String probe, Object... args) {
        return ((Answer.Tensor) eval(ctx, probe, args)).value();
    }

    private static double number(EngineContext ctx, String probe, Object... args) {
        return ((Answer.Number) eval(ctx, probe, args)).value();
    }

    private static void assertClose(TensorData expected, TensorData actual) {
        Comparison c = Comparison.of(actual, expected, 1e-5, 1e-4);
        assertTrue(c.allClose(), c.summary());
    }

    private static TensorData expr(EngineContext ctx, String text) {
        return Expression.parse(text).evaluate(ctx.scope());
    }

    @Test
    void weightsAsComputedAreThePatternAndTheirReferenceReproducesThem() {
        EngineContext ctx = run();
        Answer.Tensor t = (Answer.Tensor) eval(ctx, "weights", "layer", 1, "head", 2);
        assertClose(expr(ctx, "blocks.1.attn.hook_pattern[0, 2]"), t.value());
        assertClose(t.value(), expr(ctx, t.reference()));
        assertEquals("softmax(blocks.1.attn.hook_qk_raw[0, 2] / sqrt(d_head) + blocks.1.attn.hook_mask[0, 0], dim=-1)",
                t.reference());
        assertEquals(expr(ctx, "blocks.1.attn.hook_pattern[0, 2, 5, 3]").values()[0],
                number(ctx, "weights", "layer", 1, "head", 2, "query", 5, "key", 3), 1e-7);
    }

    @Test
    void mistakenVariantsComputeWhatTheMistakeComputes() {
        EngineContext ctx = run();
        assertClose(expr(ctx, "softmax(blocks.0.attn.hook_qk_raw[0, 1] / sqrt(d_model) + blocks.0.attn.hook_mask[0, 0])"),
                tensor(ctx, "weights", "layer", 0, "head", 1, "variant", "scaled-by-d-model"));
        assertClose(expr(ctx, "softmax(blocks.0.attn.hook_qk_raw[0, 1] + blocks.0.attn.hook_mask[0, 0])"),
                tensor(ctx, "weights", "layer", 0, "head", 1, "variant", "unscaled"));
        assertClose(expr(ctx, "softmax(blocks.0.attn.hook_attn_scores[0, 1], dim=-2)"),
                tensor(ctx, "weights", "layer", 0, "head", 1, "variant", "softmax-over-queries"));
        // the engine's own after-softmax bug is the reference for that mistake
        assertClose(expr(run("mask-bug:after-softmax"), "blocks.0.attn.hook_pattern[0, 1]"),
                tensor(ctx, "weights", "layer", 0, "head", 1, "variant", "mask-after-softmax"));
    }

    @Test
    void theIntendedMaskUndoesAnInjectedBug() {
        EngineContext clean = run();
        EngineContext buggy = run("mask-bug:off-by-one");
        // layer 0 reads clean inputs; from layer 1 on, query 0's NaN has spread through the residual stream
        assertClose(tensor(clean, "weights", "layer", 0, "head", 3),
                tensor(buggy, "weights", "layer", 0, "head", 3, "variant", "intended-mask"));
        assertTrue(Float.isNaN(tensor(buggy, "weights", "layer", 1, "head", 3, "variant", "intended-mask").values()[0]));
        for (int head = 0; head < 4; head++) {
            assertEquals(1, number(buggy, "nan-rows", "layer", 0, "head", head), "off by one: only query 0 is left blind");
            assertEquals(0, number(clean, "nan-rows", "layer", 0, "head", head));
        }
        assertEquals(0, number(buggy, "weights", "layer", 0, "head", 0, "query", 4, "key", 4));
        assertEquals(4, number(buggy, "allowed-keys", "layer", 0, "query", 4));
        assertEquals(5, number(buggy, "allowed-keys", "layer", 0, "query", 4, "variant", "intended-mask"));
        assertEquals(new Answer.Choice("off-by-one"), eval(buggy, "active-mask-bug"));
        assertEquals(new Answer.Choice("none"), eval(clean, "active-mask-bug"));
    }

    @Test
    void flippedMasksSendTheWeightToTheFuture() {
        EngineContext flipped = run("mask-bug:flipped");
        assertEquals(1, number(flipped, "future-weight", "layer", 0, "head", 1, "query", 0), 1e-5);
        assertEquals(0, number(run(), "future-weight", "layer", 0, "head", 1, "query", 0), 1e-7);
        Answer.Cell cell = (Answer.Cell) eval(flipped, "argmax-key", "layer", 0, "head", 1, "query", 0);
        assertTrue(cell.key() > 0);
        assertEquals(new Answer.Cell(0, 0, 12, 1.0), eval(flipped, "argmax-key", "layer", 0, "head", 1, "query", 0,
                "variant", "intended-mask"));
    }

    @Test
    void scoresEntropyAndRowSumsMatchHandComputations() {
        EngineContext ctx = run();
        float raw = expr(ctx, "blocks.2.attn.hook_qk_raw[0, 1, 7, 2]").values()[0];
        int dHead = ctx.config().dHead();
        assertEquals(raw, number(ctx, "score", "layer", 2, "head", 1, "query", 7, "key", 2, "stage", "raw"), 1e-6);
        assertEquals(raw / Math.sqrt(dHead), number(ctx, "score", "layer", 2, "head", 1, "query", 7, "key", 2), 1e-4);
        assertEquals(raw / Math.sqrt(ctx.config().dModel()), number(ctx, "score", "layer", 2, "head", 1, "query", 7,
                "key", 2, "variant", "scaled-by-d-model"), 1e-4);
        assertEquals(Double.NEGATIVE_INFINITY, number(ctx, "score", "layer", 2, "head", 1, "query", 7, "key", 9,
                "stage", "masked"));
        float[] row = expr(ctx, "blocks.2.attn.hook_pattern[0, 1, 7]").values();
        double h = 0;
        for (float w : row) {
            h -= w > 0 ? w * Math.log(w) : 0;
        }
        assertEquals(h, number(ctx, "entropy", "layer", 2, "head", 1, "query", 7), 1e-4);
        assertEquals(h / Math.log(8), number(ctx, "entropy", "layer", 2, "head", 1, "query", 7, "normalized", true), 1e-4);
        assertEquals(1, number(ctx, "row-sum", "layer", 2, "head", 1, "query", 7), 1e-5);
        assertTrue(number(run("mask-bug:after-softmax"), "row-sum", "layer", 2, "head", 1, "query", 7) < 1);
    }

    @Test
    void cacheBytesFollowTheCacheLayout() {
        EngineContext ctx = run();
        int layers = ctx.capabilities().cacheLayers();
        int kv = ctx.capabilities().kvHeads();
        int dHead = ctx.capabilities().dHead();
        for (int n : new int[] {0, 3}) {
            long positions = 12 + n;
            assertEquals(2.0 * layers * positions * kv * dHead * 4, number(ctx, "kv-cache-bytes", "tokens", n));
            assertEquals(2.0 * positions * kv * dHead * 4, number(ctx, "kv-cache-bytes", "tokens", n, "layer", 1));
        }
    }

    @Test
    void structureProbesReadTheLiveTrace() {
        EngineContext ctx = run();
        assertEquals(new Answer.Shape(new long[] {1, 4, 12, 12}), eval(ctx, "hook-shape", "hook",
                "blocks.3.attn.hook_attn_scores"));
        List<String> order = ((Answer.Order) eval(ctx, "step-order", "layer", 0)).items();
        assertEquals(List.of("ln1.hook_normalized", "attn.hook_q", "attn.hook_k", "attn.hook_v", "attn.hook_qk_raw",
                "attn.hook_attn_scores_unmasked", "attn.hook_mask", "attn.hook_attn_scores", "attn.hook_pattern",
                "attn.hook_z", "hook_attn_out", "hook_resid_mid"), order);
        assertEquals(new Answer.Choice("0.1"), eval(ctx, "top-head", "score", "previous-token", "layer", 0),
                "tiny-gpt's previous-token head (its model card)");
        assertEquals(16, ((Answer.Options) eval(ctx, "heads")).options().size());
        Answer.Tensor norm = (Answer.Tensor) eval(ctx, "layer-norm", "hook", "blocks.0.hook_resid_pre", "query", 2);
        assertClose(expr(ctx, "layer_norm(blocks.0.hook_resid_pre[0, 2], eps=eps)"), norm.value());
        assertEquals("blocks.0.hook_resid_pre[0, 2, 5]", ((Answer.Tensor) eval(ctx, "hook-value", "hook",
                "blocks.0.hook_resid_pre", "index", "0, 2, 5")).reference());
    }

    @Test
    void theLossCountsPaddingTargetsOnlyUnderTheBug() {
        LoadedModel model = SharedModels.pool().get(new ModelRef.Sample("tiny-gpt"));
        Prompt batch = new Prompt(List.of("And God said", "Let there be light"), List.of(), null, 0);
        for (String bug : new String[] {null, "mask-bug:padding-in-loss"}) {
            Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withInterventions(bug == null ? Interventions.NONE
                    : Interventions.NONE.with(Interventions.parse(bug))));
            open.add(s);
            s.reset(EngineActions.batch(batch, model));
            s.runToEnd();
            EngineContext ctx = new EngineContext(model, s, Map.of());
            // 18 positions per row, 17 targets each; the first row's last 6 targets (positions 11-16) are padding
            assertEquals(bug == null ? 28 : 34, number(ctx, "loss-positions"));
            assertEquals(28, number(ctx, "loss-positions", "variant", "intended-mask"));
            double reported = number(ctx, "loss");
            double real = number(ctx, "loss", "variant", "intended-mask");
            assertTrue(bug == null ? reported == real : reported != real, reported + " vs " + real);
        }
    }

    @Test
    void aStaleCacheKeepsTheNewTokensFromTheirOwnKeys() {
        LoadedModel model = SharedModels.pool().get(new ModelRef.Sample("tiny-gpt"));
        Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withInterventions(
                Interventions.NONE.with(Interventions.parse("mask-bug:stale-cache"))));
        open.add(s);
        s.reset(EngineActions.batch(Prompt.text("And God said"), model));
        s.runToEnd();
        Sampler greedy = new Sampler(SamplingConfig.GREEDY);
        for (int i = 0; i < 2; i++) {
            s.generate(greedy);
            s.runToEnd();
        }
        EngineContext ctx = new EngineContext(model, s, Map.of());
        assertEquals(12, number(ctx, "allowed-keys", "layer", 0, "query", 0));
        assertEquals(14, number(ctx, "allowed-keys", "layer", 0, "query", 0, "variant", "intended-mask"));
        assertEquals(13, number(ctx, "allowed-keys", "layer", 0, "query", 0, "pass", 1, "variant", "intended-mask"));
        ProbeException e = assertThrows(ProbeException.class, () -> eval(ctx, "allowed-keys", "layer", 0, "query", 1));
        assertEquals("query", e.param());
        assertTrue(e.getMessage().contains("this pass has 1 queries"), e.getMessage());
    }
}
