package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.expr.Comparison;
import dev.attnstudio.engine.expr.Expression;
import dev.attnstudio.engine.load.LoadedModel;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stream probes against expressions and hand computations on tiny-gpt (GELU, LayerNorm) and tiny-llama (SwiGLU, RMSNorm). */
class StreamProbesTest {

    private final List<Stepper> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Stepper::close);
    }

    private EngineContext run(String sample) {
        LoadedModel model = SharedModels.pool().get(new ModelRef.Sample(sample));
        Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT));
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

    private static TensorData expr(EngineContext ctx, String text) {
        return Expression.parse(text).evaluate(ctx.scope());
    }

    private static void assertClose(TensorData expected, TensorData actual) {
        Comparison c = Comparison.of(actual, expected, 1e-5, 1e-4);
        assertTrue(c.allClose(), c.summary());
    }

    @Test
    void statsNormsAndSumsAgreeWithExpressions() {
        EngineContext ctx = run("tiny-gpt");
        double norm = ((Answer.Number) eval(ctx, "hook-stat", "hook", "blocks.3.hook_resid_post", "index", "0, 4",
                "stat", "norm")).value();
        assertEquals(expr(ctx, "sqrt(sum(blocks.3.hook_resid_post[0, 4] ** 2))").values()[0], norm, 1e-4);
        double std = ((Answer.Number) eval(ctx, "hook-stat", "hook", "blocks.3.hook_resid_post", "index", "0, 4",
                "stat", "std")).value();
        assertEquals(expr(ctx, "sqrt(var(blocks.3.hook_resid_post[0, 4]))").values()[0], std, 1e-3);
        assertClose(expr(ctx, "sqrt(sum(blocks.1.hook_resid_post[0] ** 2, dim=-1))"),
                tensor(ctx, "hook-norms", "hook", "blocks.1.hook_resid_post"));
        assertClose(expr(ctx, "sqrt(mean(blocks.1.hook_resid_post[0] ** 2, dim=-1))"),
                tensor(ctx, "hook-norms", "hook", "blocks.1.hook_resid_post", "variant", "rms"));
        // the residual stream is the sum of what was written into it
        List<String> parts = new ArrayList<>(List.of("hook_embed", "hook_pos_embed"));
        for (int l = 0; l < 4; l++) {
            parts.add("blocks." + l + ".hook_attn_out");
            parts.add("blocks." + l + ".hook_mlp_out");
        }
        assertClose(ctx.read("blocks.3.hook_resid_post", null), tensor(ctx, "hook-sum", "hooks", parts));
        assertFalse(Comparison.of(tensor(ctx, "hook-sum", "hooks", parts.subList(2, parts.size())),
                ctx.read("blocks.3.hook_resid_post", null), 1e-5, 1e-4).allClose());
    }

    @Test
    void theLargestHookIsTheLongest() {
        EngineContext ctx = run("tiny-gpt");
        List<String> hooks = List.of("hook_pos_embed", "blocks.3.hook_resid_post", "hook_embed");
        assertEquals(new Answer.Choice("blocks.3.hook_resid_post"), eval(ctx, "largest-hook", "hooks", hooks));
        assertEquals(new Answer.Choice("hook_embed"), eval(ctx, "largest-hook", "hooks",
                List.of("hook_embed", "hook_embed"), "stat", "max"));
        assertEquals(3, ((Answer.Options) eval(ctx, "hook-options", "hooks", hooks)).options().size());
        assertEquals("hooks", assertThrows(ProbeException.class, () -> eval(ctx, "hook-options", "hooks",
                List.of("blocks.9.hook_resid_post"))).param());
    }

    @Test
    void rmsNormDividesByTheRootMeanSquareWithoutCentring() {
        EngineContext ctx = run("tiny-llama");
        assertClose(expr(ctx, "blocks.1.hook_resid_pre[0, 3] / sqrt(mean(blocks.1.hook_resid_pre[0, 3] ** 2) + eps)"),
                tensor(ctx, "rms-norm", "hook", "blocks.1.hook_resid_pre", "query", 3));
        assertClose(expr(ctx, "blocks.1.hook_resid_pre[0, 3] / (sqrt(mean(blocks.1.hook_resid_pre[0, 3] ** 2)) + eps)"),
                tensor(ctx, "rms-norm", "hook", "blocks.1.hook_resid_pre", "query", 3, "variant", "eps-outside-sqrt"));
    }

    @Test
    void mlpActivationsAreGeluOrGatedSilu() {
        EngineContext gpt = run("tiny-gpt");
        assertClose(expr(gpt, "gelu(blocks.0.mlp.hook_pre[0, 2])"), tensor(gpt, "mlp-activation", "layer", 0, "query", 2));
        assertClose(expr(gpt, "relu(blocks.0.mlp.hook_pre[0, 2])"), tensor(gpt, "mlp-activation", "layer", 0, "query", 2,
                "variant", "relu"));
        assertEquals("variant", assertThrows(ProbeException.class, () -> eval(gpt, "mlp-activation", "layer", 0,
                "query", 2, "variant", "no-up")).param());
        EngineContext llama = run("tiny-llama");
        String g = "blocks.1.mlp.hook_pre[0, 2]";
        String u = "blocks.1.mlp.hook_pre_linear[0, 2]";
        assertClose(expr(llama, g + " / (1 + exp(-" + g + ")) * " + u), tensor(llama, "mlp-activation", "layer", 1,
                "query", 2));
        assertClose(expr(llama, g + " / (1 + exp(-" + g + "))"), tensor(llama, "mlp-activation", "layer", 1, "query", 2,
                "variant", "no-up"));
        assertClose(expr(llama, u + " / (1 + exp(-" + u + ")) * " + g), tensor(llama, "mlp-activation", "layer", 1,
                "query", 2, "variant", "swapped"));
    }

    @Test
    void promptTokenLogitsPickThePromptsTokensFromTheLogits() {
        EngineContext ctx = run("tiny-gpt");
        TensorData t = tensor(ctx, "prompt-token-logits", "query", 5);
        long[] ids = ctx.queryTokens(0, null);
        float[] logits = ctx.read("hook_logits", null).row(0, 5);
        for (int j = 0; j < ids.length; j++) {
            assertEquals(logits[(int) ids[j]], t.values()[j], 1e-4);
        }
        assertClose(expr(ctx, "hook_embed[0] @ blocks.3.hook_resid_post[0, 5]"),
                tensor(ctx, "prompt-token-logits", "query", 5, "variant", "no-final-norm"));
    }
}
