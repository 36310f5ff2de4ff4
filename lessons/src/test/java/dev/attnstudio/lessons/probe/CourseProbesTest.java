package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.expr.Comparison;
import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probes the course's first lessons use: the prompt's tokens (token-count, token-id, tokens, find-token), vectors
 * of a hook (distance, vector-norm, hook-element), the pass's order (pass-order) and the position formulas
 * (sinusoidal, alibi), each against counts read off the tokenizer's output or values computed independently.
 */
class CourseProbesTest {

    private final List<Stepper> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Stepper::close);
    }

    private EngineContext run(String sample, Prompt prompt) {
        LoadedModel model = SharedModels.pool().get(new ModelRef.Sample(sample));
        Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT));
        open.add(s);
        s.reset(EngineActions.batch(prompt, model));
        s.runToEnd();
        return new EngineContext(model, s, Map.of());
    }

    private static Answer eval(EngineContext ctx, String probe, Object... args) {
        return ProbeCatalogue.find(probe).orElseThrow().evaluate(ProbeCall.of(probe, args), ctx).answer();
    }

    private static double number(EngineContext ctx, String probe, Object... args) {
        return ((Answer.Number) eval(ctx, probe, args)).value();
    }

    private static String choice(EngineContext ctx, String probe, Object... args) {
        return ((Answer.Choice) eval(ctx, probe, args)).id();
    }

    private static TensorData expr(EngineContext ctx, String text) {
        return Expression.parse(text).evaluate(ctx.scope());
    }

    /** MiniLM's word pieces: [CLS] token ##ization isn ' t unbelievable [SEP]. */
    @Test
    void tokenProbesCountWordPiecesAndSpecialTokens() {
        EngineContext ctx = run("all-minilm-l6-v2", Prompt.text("Tokenization isn't unbelievable"));
        assertEquals(8, number(ctx, "token-count"));
        assertEquals(2, number(ctx, "token-count", "count", "special"));
        assertEquals(6, number(ctx, "token-count", "count", "text"));
        assertEquals(1, number(ctx, "token-count", "count", "continuation"));
        assertEquals(0, number(ctx, "token-count", "count", "padding"));
        assertEquals(101, number(ctx, "token-id", "position", 0));
        assertEquals("2", choice(ctx, "find-token", "kind", "continuation"));
        assertEquals("0", choice(ctx, "find-token", "kind", "special"));
        assertEquals("7", choice(ctx, "find-token", "kind", "special", "last", true));
        Answer.Options options = (Answer.Options) eval(ctx, "tokens");
        assertEquals(8, options.options().size());
        assertTrue(options.label("2").contains("##ization"), options.label("2"));
        assertThrows(ProbeException.class, () -> eval(ctx, "find-token", "kind", "padding"));
        assertThrows(ProbeException.class, () -> eval(ctx, "token-id", "position", 8));
    }

    /** tiny-gpt reads bytes: "And God said" is 12 tokens, one per character, 9 different ones, no special token. */
    @Test
    void aByteLevelTokenizerMakesOneTokenPerCharacter() {
        EngineContext ctx = run("tiny-gpt", Prompt.text("And God said"));
        assertEquals(12, number(ctx, "token-count"));
        assertEquals(12, number(ctx, "token-count", "count", "characters"));
        assertEquals(9, number(ctx, "token-count", "count", "distinct"));
        assertEquals(0, number(ctx, "token-count", "count", "special"));
        assertEquals('G', (char) number(ctx, "token-id", "position", 4));
    }

    /** A batch padded on the left puts its padding first: "Hi" is [CLS] hi [SEP] after two pads. */
    @Test
    void leftPaddingPutsThePadsBeforeTheRealTokens() {
        Prompt prompt = new Prompt(List.of("The cat sat", "Hi"), List.of(), null, 0, true);
        LoadedModel model = SharedModels.pool().get(new ModelRef.Sample("all-minilm-l6-v2"));
        Batch batch = EngineActions.batch(prompt, model);
        assertArrayEquals(new long[] {0, 0, 1, 1, 1}, batch.attentionMask()[1]);
        EngineContext ctx = run("all-minilm-l6-v2", prompt);
        assertEquals(2, number(ctx, "token-count", "count", "padding", "row", 1));
        assertEquals("2", choice(ctx, "find-token", "kind", "real", "row", 1));
        assertEquals("1", choice(ctx, "find-token", "kind", "padding", "row", 1, "last", true));
        Batch right = EngineActions.batch(new Prompt(List.of("The cat sat", "Hi"), List.of(), null, 0), model);
        assertArrayEquals(new long[] {1, 1, 1, 0, 0}, right.attentionMask()[1]);
    }

    @Test
    void distanceIsZeroBetweenEqualTokensAndFollowsTheFormulas() {
        EngineContext ctx = run("tiny-gpt", Prompt.text("And God said"));
        // positions 2 and 11 both hold 'd': the same row of the embedding table
        assertEquals(0, number(ctx, "distance", "hook", "hook_embed", "from", 2, "to", 11), 1e-9);
        double pos = number(ctx, "distance", "hook", "hook_pos_embed", "from", 2, "to", 11);
        assertTrue(pos > 0.1, "positions 2 and 11 have different position vectors: " + pos);
        TensorData diff = expr(ctx, "sqrt(sum((hook_pos_embed[0, 2] - hook_pos_embed[0, 11]) ** 2))");
        assertEquals(diff.values()[0], pos, 1e-4);
        TensorData cos = expr(ctx, "sum(hook_embed[0, 0] * hook_embed[0, 4]) / sqrt(sum(hook_embed[0, 0] ** 2)"
                + " * sum(hook_embed[0, 4] ** 2))");
        assertEquals(cos.values()[0], number(ctx, "distance", "hook", "hook_embed", "from", 0, "to", 4,
                "metric", "cosine"), 1e-5);
        assertEquals(1, number(ctx, "distance", "hook", "hook_embed", "from", 3, "to", 3, "metric", "cosine"), 1e-6);
        double headQ = number(ctx, "distance", "hook", "blocks.0.attn.hook_q", "from", 0, "to", 1, "head", 2);
        TensorData q = expr(ctx, "sqrt(sum((blocks.0.attn.hook_q[0, 0, 2] - blocks.0.attn.hook_q[0, 1, 2]) ** 2))");
        assertEquals(q.values()[0], headQ, 1e-4);
        assertThrows(ProbeException.class, () -> eval(ctx, "distance", "hook", "blocks.0.attn.hook_q", "from", 0, "to", 1));
        assertThrows(ProbeException.class, () -> eval(ctx, "distance", "hook", "hook_embed", "from", 0, "to", 12));
    }

    @Test
    void vectorNormAndHookElementReadTheTrace() {
        EngineContext ctx = run("tiny-gpt", Prompt.text("And God said"));
        Answer.Tensor norms = (Answer.Tensor) eval(ctx, "vector-norm", "hook", "hook_embed", "index", "0");
        assertArrayEquals(new long[] {12}, norms.value().shape());
        TensorData byHand = expr(ctx, "sqrt(sum(hook_embed[0] * hook_embed[0], dim=-1))");
        Comparison c = Comparison.of(norms.value(), byHand, 1e-5, 1e-4);
        assertTrue(c.allClose(), c.summary());
        assertTrue(Comparison.of(expr(ctx, norms.reference()), byHand, 1e-5, 1e-4).allClose());
        double one = number(ctx, "hook-element", "hook", "blocks.0.attn.hook_pattern", "index", "0, 1, 5, 2");
        assertEquals(expr(ctx, "blocks.0.attn.hook_pattern[0, 1, 5, 2]").values()[0], one, 1e-7);
        assertThrows(ProbeException.class, () -> eval(ctx, "hook-element", "hook", "blocks.0.attn.hook_pattern",
                "index", "0, 1"));
    }

    @Test
    void passOrderFollowsTheProgramNotTheListGiven() {
        EngineContext ctx = run("tiny-gpt", Prompt.text("And"));
        Answer.Order order = (Answer.Order) eval(ctx, "pass-order", "steps",
                List.of("hook_logits", "blocks.0.attn.hook_pattern", "hook_pos_embed", "hook_embed"));
        assertEquals(List.of("hook_embed", "hook_pos_embed", "blocks.0.attn.hook_pattern", "hook_logits"), order.items());
        assertThrows(ProbeException.class, () -> eval(ctx, "pass-order", "steps", List.of("hook_embed", "blocks.9.attn.hook_q")));
        assertThrows(ProbeException.class, () -> eval(ctx, "pass-order", "steps", List.of("hook_embed")));
    }

    @Test
    void positionFormulasDefaultToTheModelsSizes() {
        EngineContext ctx = run("tiny-gpt", Prompt.text("And"));
        // tiny-gpt: d_model 128, 4 heads
        assertEquals(Math.cos(5 / Math.pow(10000, 4.0 / 128)), number(ctx, "sinusoidal", "position", 5, "index", 5), 1e-12);
        assertEquals(Math.sin(3 / Math.pow(10000, 2.0 / 6)),
                number(ctx, "sinusoidal", "position", 3, "index", 2, "width", 6), 1e-12);
        assertEquals(0.25, number(ctx, "alibi", "head", 0), 1e-12);
        assertEquals(0.5, number(ctx, "alibi", "head", 0, "heads", 8), 1e-12);
        assertEquals(-3.0 / 16, number(ctx, "alibi", "head", 1, "query", 4, "key", 1), 1e-12);
        assertThrows(ProbeException.class, () -> eval(ctx, "alibi", "head", 4));
        assertThrows(ProbeException.class, () -> eval(ctx, "alibi", "head", 0, "query", 3));
        assertThrows(ProbeException.class, () -> eval(ctx, "sinusoidal", "position", 0, "index", 128));
    }

    @Test
    void softmaxAtDividesByTheTemperature() {
        EngineContext ctx = run("tiny-gpt", Prompt.text("And God said"));
        Answer.Tensor cold = (Answer.Tensor) eval(ctx, "softmax-at", "hook", "hook_logits", "index", "0, -1",
                "temperature", 0.5);
        TensorData byHand = expr(ctx, "exp(2 * hook_logits[0, -1]) / sum(exp(2 * hook_logits[0, -1]))");
        assertTrue(Comparison.of(cold.value(), byHand, 1e-6, 1e-4).allClose());
        assertTrue(Comparison.of(expr(ctx, cold.reference()), byHand, 1e-6, 1e-4).allClose());
        double topCold = number(ctx, "softmax-at", "hook", "hook_logits", "index", "0, -1", "temperature", 0.5, "top", true);
        double topWarm = number(ctx, "softmax-at", "hook", "hook_logits", "index", "0, -1", "temperature", 2, "top", true);
        assertEquals(expr(ctx, "max(softmax(hook_logits[0, -1] * 2))").values()[0], topCold, 1e-6);
        assertTrue(topCold > topWarm, topCold + " <= " + topWarm);
        assertThrows(ProbeException.class, () -> eval(ctx, "softmax-at", "hook", "hook_logits", "temperature", 0));
        assertThrows(ProbeException.class, () -> eval(ctx, "softmax-at", "hook", "hook_logits", "top", true));
    }

    /** tiny-llama: 4 query heads share 2 rotated key heads, so query head 3 reads key head 1. */
    @Test
    void headScoresAndOutputsAreTheProductsOfTheirInputs() {
        EngineContext llama = run("tiny-llama", Prompt.text("And God said"));
        Answer.Tensor scores = (Answer.Tensor) eval(llama, "head-scores", "layer", 1, "head", 3);
        assertTrue(Comparison.of(scores.value(), expr(llama, "blocks.1.attn.hook_qk_raw[0, 3]"), 1e-6, 1e-5).allClose());
        assertEquals("blocks.1.attn.hook_rot_q[0, :, 3] @ blocks.1.attn.hook_rot_k[0, :, 1].T", scores.reference());
        EngineContext gpt = run("tiny-gpt", Prompt.text("And God said"));
        Answer.Tensor z = (Answer.Tensor) eval(gpt, "head-output", "layer", 0, "head", 2);
        assertArrayEquals(new long[] {12, 32}, z.value().shape());
        assertTrue(Comparison.of(z.value(), expr(gpt, "blocks.0.attn.hook_z[0, :, 2]"), 1e-6, 1e-5).allClose());
        assertEquals("blocks.0.attn.hook_pattern[0, 2] @ blocks.0.attn.hook_v[0, :, 2]", z.reference());
        assertEquals("blocks.0.attn.hook_q[0, :, 2] @ blocks.0.attn.hook_k[0, :, 2].T",
                ((Answer.Tensor) eval(gpt, "head-scores", "layer", 0, "head", 2)).reference());
        assertThrows(ProbeException.class, () -> eval(gpt, "head-output", "layer", 0, "head", 2, "row", 1));
    }

    @Test
    void maskedScoresAndTheStreamStartShowTheSumsThatMakeThem() {
        EngineContext gpt = run("tiny-gpt", Prompt.text("And God said"));
        Answer.Tensor masked = (Answer.Tensor) eval(gpt, "masked-scores", "layer", 0, "head", 2);
        assertEquals("blocks.0.attn.hook_attn_scores_unmasked[0, 2] + blocks.0.attn.hook_mask[0, 0]", masked.reference());
        assertEquals(Float.NEGATIVE_INFINITY, masked.value().values()[1]);
        assertEquals(expr(gpt, "blocks.0.attn.hook_attn_scores_unmasked[0, 2, 1, 0]").values()[0],
                masked.value().values()[12], 1e-6);
        Answer.Tensor start = (Answer.Tensor) eval(gpt, "stream-start");
        assertEquals("hook_embed[0] + hook_pos_embed[0]", start.reference());
        assertTrue(Comparison.of(start.value(), expr(gpt, "blocks.0.hook_resid_pre[0]"), 1e-6, 1e-5).allClose());
        EngineContext llama = run("tiny-llama", Prompt.text("And"));
        assertEquals("hook_embed[0]", ((Answer.Tensor) eval(llama, "stream-start")).reference());
        assertThrows(ProbeException.class, () -> eval(gpt, "stream-start", "row", 1));
    }
}
