package dev.attnstudio.engine.expr;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomT5;
import dev.attnstudio.engine.model.TinyModels;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Expressions a student would write, recomputing a step of the engine from earlier hooks of a tiny random GPT-2
 * (2 layers, 4 heads of 8, seed 7) and of a tiny random T5 with a padded batch; each must match the engine's own
 * tensor. Weights sit next to the hooks under their checkpoint names ({@code h.0.ln_1.weight}, {@code wte.weight}).
 */
class ExpressionOnEngineTest {

    private static final long[] PROMPT = {5, 17, 3, 88, 41, 41, 0, 96, 12, 7, 63, 2};
    private static LoadedModel gpt2;
    private static Stepper stepper;
    private static Scope scope;

    @BeforeAll
    static void run() {
        Map<String, SafeTensors.Tensor> weights = TinyModels.tensors(7);
        gpt2 = TinyModels.load(weights);
        stepper = new Stepper(gpt2.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT));
        stepper.reset(PROMPT);
        stepper.runToEnd();
        scope = Scope.of(stepper.group().trace())
                .withTensors(asTensorData(weights))
                .withConstants(ModelConstants.of(TinyModels.CONFIG, PROMPT.length));
    }

    @AfterAll
    static void close() {
        stepper.close();
        gpt2.close();
    }

    static Map<String, TensorData> asTensorData(Map<String, SafeTensors.Tensor> weights) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        weights.forEach((name, t) -> out.put(name, new TensorData(name, t.shape(), t.values())));
        return out;
    }

    /** expression, the hook it must reproduce, absolute tolerance (relative tolerance 1e-5). */
    static Stream<Arguments> recomputations() {
        return Stream.of(
                arguments("hook_embed + hook_pos_embed", "blocks.0.hook_resid_pre", 1e-6),
                arguments("layer_norm(blocks.0.hook_resid_pre, eps=eps) * h.0.ln_1.weight + h.0.ln_1.bias",
                        "blocks.0.ln1.hook_normalized", 1e-5),
                arguments("transpose(blocks.0.attn.hook_q, 1, 2) @ transpose(blocks.0.attn.hook_k, 1, 2).T",
                        "blocks.0.attn.hook_qk_raw", 1e-5),
                arguments("blocks.0.attn.hook_qk_raw / sqrt(d_head)", "blocks.0.attn.hook_attn_scores_unmasked", 1e-6),
                arguments("blocks.1.attn.hook_attn_scores_unmasked + blocks.1.attn.hook_mask",
                        "blocks.1.attn.hook_attn_scores", 0),
                arguments("softmax(blocks.0.attn.hook_attn_scores, dim=-1)", "blocks.0.attn.hook_pattern", 1e-6),
                arguments("exp(log_softmax(blocks.1.attn.hook_attn_scores))", "blocks.1.attn.hook_pattern", 1e-6),
                arguments("transpose(blocks.1.attn.hook_pattern @ transpose(blocks.1.attn.hook_v, 1, 2), 1, 2)",
                        "blocks.1.attn.hook_z", 1e-5),
                arguments("blocks.0.hook_resid_pre + blocks.0.hook_attn_out", "blocks.0.hook_resid_mid", 1e-5),
                arguments("gelu(blocks.1.mlp.hook_pre)", "blocks.1.mlp.hook_post", 1e-5),
                arguments("blocks.1.hook_resid_mid + blocks.1.hook_mlp_out", "blocks.1.hook_resid_post", 1e-5),
                arguments("layer_norm(blocks.1.hook_resid_post) * ln_f.weight + ln_f.bias", "ln_final.hook_normalized",
                        1e-5),
                arguments("ln_final.hook_normalized @ wte.weight.T", "hook_logits", 1e-4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recomputations")
    void recomputesTheEnginesStep(String source, String hook, double atol) {
        TensorData expected = stepper.read(hook);
        Comparison c = Comparison.of(Expression.evaluate(source, scope), expected, atol, 1e-5);
        assertTrue(c.allClose(), source + " vs " + hook + ": " + c.summary());
    }

    @Test
    void patternRowsSumToOneAndTheCausalMaskHides() {
        TensorData rows = Expression.evaluate("sum(blocks.0.attn.hook_pattern, dim=-1)", scope);
        assertEquals(List.of(1L, 4L, 12L), List.of(rows.shape()[0], rows.shape()[1], rows.shape()[2]));
        for (float v : rows.values()) {
            assertEquals(1f, v, 1e-6f);
        }
        TensorData future = Expression.evaluate("sum(blocks.0.attn.hook_pattern[0, :, 0, 1:])", scope);
        assertEquals(0f, future.values()[0], "query 0 sees nothing after itself");
    }

    /** The wrong answers lessons will name as misconceptions must be told apart from the right one. */
    @Test
    void commonMistakesDoNotPass() {
        TensorData pattern = stepper.read("blocks.0.attn.hook_pattern");
        Comparison noMask = Comparison.of(Expression.evaluate("softmax(blocks.0.attn.hook_attn_scores_unmasked)", scope),
                pattern);
        Comparison noScale = Comparison.of(Expression.evaluate(
                "softmax(blocks.0.attn.hook_qk_raw + blocks.0.attn.hook_mask)", scope), pattern);
        Comparison wrongAxis = Comparison.of(Expression.evaluate(
                "softmax(blocks.0.attn.hook_attn_scores, dim=-2)", scope), pattern);
        for (Comparison c : List.of(noMask, noScale, wrongAxis)) {
            assertTrue(c.shapesAgree());
            assertTrue(c.fractionClose() < 0.9, c.summary());
        }
        Comparison oneHead = Comparison.of(Expression.evaluate("softmax(blocks.0.attn.hook_attn_scores[0, 2])", scope),
                pattern);
        assertEquals("shape [12, 12] does not match the expected [1, 4, 12, 12]", oneHead.summary());
        assertTrue(Comparison.of(Expression.evaluate("softmax(blocks.0.attn.hook_attn_scores[0, 2])", scope),
                stepper.group().trace().read("blocks.0.attn.hook_pattern", "0, 2")).allClose());
    }

    @Test
    void argmaxOfTheLastLogitsIsTheGreedyToken() {
        float token = Expression.evaluate("argmax(hook_logits[0, -1])", scope).values()[0];
        try (Stepper s = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            assertEquals(s.generate(new Sampler(SamplingConfig.GREEDY)).token(), (int) token);
        }
    }

    @Test
    void aWatchBeforeTheStepIsComputedSaysSo() {
        try (Stepper s = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runTo("blocks.*.attn.hook_pattern");
            Scope watch = Scope.of(s.group().trace()).withConstants(ModelConstants.of(TinyModels.CONFIG));
            Expression e = Expression.parse("max(blocks.0.attn.hook_pattern - blocks.1.attn.hook_pattern)");
            ExpressionException early = assertThrows(ExpressionException.class, () -> e.evaluate(watch));
            assertEquals("blocks.1.attn.hook_pattern has not been computed yet: step further first", early.description());
            assertEquals(33, early.position());
            ExpressionException typo = assertThrows(ExpressionException.class,
                    () -> Expression.evaluate("blocks.0.attn.hook_patern[0, 1]", watch));
            assertEquals("unknown hook 'blocks.0.attn.hook_patern'; did you mean blocks.0.attn.hook_pattern?",
                    typo.description());
            s.runTo("blocks.*.attn.hook_pattern");
            assertEquals(0, e.evaluate(watch).rank(), "the same expression evaluates once the step ran");
        }
    }

    /** T5: dotted names with a stack prefix, cross-attention over a padded source, a mask of shape [B, 1, 1, S]. */
    @Test
    void t5CrossAttentionFromItsHooks() {
        ModelConfig c = new ModelConfig(ModelConfig.Architecture.T5, 2, 4, 32, 40, 64, 61, 0, 1e-6,
                ModelConfig.Activation.RELU, new ModelConfig.T5(6, 2, 16, 12, false, true, 0));
        Batch batch = Batch.pad(List.of(new long[] {5, 17, 3, 28, 41, 9}, new long[] {8, 1, 14}), null,
                Batch.Padding.RIGHT, 0).withDecoder(new long[][] {{0, 5, 9, 3}, {0, 12, 4, 38}});
        try (LoadedModel m = LoadedModel.of("tiny-t5", c, RandomT5.tensors(c, 5, 0.2f), null, DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(batch);
            s.runToEnd();
            Scope t5 = Scope.of(s.group().trace()).withConstants(ModelConstants.of(c));
            String x = "decoder.blocks.1.cross_attn.";
            Map<String, String> checks = Map.of(
                    "transpose(" + x + "hook_q, 1, 2) @ transpose(transpose(" + x + "hook_k, 1, 2))", x + "hook_qk_raw",
                    x + "hook_attn_scores_unmasked + " + x + "hook_mask", x + "hook_attn_scores",
                    "softmax(" + x + "hook_attn_scores)", x + "hook_pattern");
            checks.forEach((source, hook) -> {
                Comparison cmp = Comparison.of(Expression.evaluate(source, t5), s.read(hook), 1e-5, 1e-5);
                assertTrue(cmp.allClose(), source + ": " + cmp.summary());
            });
            TensorData padding = Expression.evaluate("sum(" + x + "hook_pattern[1, ..., 3:])", t5);
            assertEquals(0f, padding.values()[0], "the padded source positions of row 1 get no weight");
            assertEquals(6f, Expression.evaluate("d_head", t5).values()[0], "T5's d_head is d_kv, not d_model / n_heads");
        }
    }
}
