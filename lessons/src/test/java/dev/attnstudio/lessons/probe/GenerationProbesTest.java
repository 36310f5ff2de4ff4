package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.lessons.check.SharedModels;
import dev.attnstudio.lessons.format.ModelRef;
import dev.attnstudio.lessons.format.Prompt;
import dev.attnstudio.lessons.run.EngineActions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Next-token probes against softmaxes, sorts and cuts computed by hand from tiny-gpt's logits. */
class GenerationProbesTest {

    private final List<Stepper> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Stepper::close);
    }

    private EngineContext run(int generate) {
        LoadedModel model = SharedModels.pool().get(new ModelRef.Sample("tiny-gpt"));
        Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT));
        open.add(s);
        s.reset(EngineActions.batch(Prompt.text("And God said"), model));
        s.runToEnd();
        for (int i = 0; i < generate; i++) {
            s.generate(new Sampler(SamplingConfig.GREEDY));
            s.runToEnd();
        }
        return new EngineContext(model, s, Map.of());
    }

    private static Answer eval(EngineContext ctx, String probe, Object... args) {
        return ProbeCatalogue.find(probe).orElseThrow().evaluate(ProbeCall.of(probe, args), ctx).answer();
    }

    private static double number(EngineContext ctx, String probe, Object... args) {
        return ((Answer.Number) eval(ctx, probe, args)).value();
    }

    /** Token ids by logit, highest first. */
    private static int[] order(float[] logits) {
        return java.util.stream.IntStream.range(0, logits.length).boxed()
                .sorted((a, b) -> Float.compare(logits[b], logits[a])).mapToInt(Integer::intValue).toArray();
    }

    private static double[] softmax(float[] logits, double t) {
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] / t);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void ranksFollowTheLogits() {
        EngineContext ctx = run(0);
        float[] logits = ctx.read("hook_logits", null).row(0, 11);
        int[] order = order(logits);
        assertEquals(new Answer.Choice(Integer.toString(order[0])), eval(ctx, "top-token", "query", 11));
        assertEquals(new Answer.Choice(Integer.toString(order[2])), eval(ctx, "top-token", "query", 11, "rank", 2));
        List<Answer.Option> options = ((Answer.Options) eval(ctx, "top-tokens", "query", 11, "count", 4)).options();
        assertEquals(Arrays.stream(order).limit(4).mapToObj(Integer::toString).toList(),
                options.stream().map(Answer.Option::id).toList());
    }

    @Test
    void probabilitiesFollowTemperatureAndCuts() {
        EngineContext ctx = run(0);
        float[] logits = ctx.read("hook_logits", null).row(0, 11);
        int[] order = order(logits);
        double[] p1 = softmax(logits, 1);
        double[] p2 = softmax(logits, 2);
        double[] pHalf = softmax(logits, 0.5);
        assertEquals(p1[order[0]], number(ctx, "token-prob", "query", 11), 1e-6);
        assertEquals(p2[order[1]], number(ctx, "token-prob", "query", 11, "rank", 1, "temperature", 2), 1e-6);
        assertEquals(pHalf[order[1]], number(ctx, "token-prob", "query", 11, "rank", 1, "temperature", 2,
                "variant", "times-temperature"), 1e-6);
        assertEquals(logits[order[1]], number(ctx, "token-prob", "query", 11, "rank", 1, "variant", "logit"), 1e-6);
        // top-k 2: the first two renormalized, the third cut
        double two = p1[order[0]] + p1[order[1]];
        assertEquals(p1[order[1]] / two, number(ctx, "token-prob", "query", 11, "rank", 1, "topK", 2), 1e-6);
        assertEquals(0, number(ctx, "token-prob", "query", 11, "rank", 2, "topK", 2));
        assertEquals(p1[order[1]], number(ctx, "token-prob", "query", 11, "rank", 1, "topK", 2, "variant",
                "before-cut"), 1e-6);
        assertEquals(p1[order[5]], number(ctx, "token-prob", "query", 11, "token", order[5]), 1e-6);
    }

    @Test
    void thePoolIsTheSmallestPrefixReachingTopP() {
        EngineContext ctx = run(0);
        float[] logits = ctx.read("hook_logits", null).row(0, 3);
        int[] order = order(logits);
        double[] p = softmax(logits, 1);
        double mass = 0;
        int size = 0;
        while (mass < 0.9) {
            mass += p[order[size++]];
        }
        assertEquals(size, number(ctx, "sampler-pool", "query", 3, "topP", 0.9));
        assertEquals(size - 1, number(ctx, "sampler-pool", "query", 3, "topP", 0.9, "variant", "below-p"));
        assertEquals(1, number(ctx, "sampler-pool", "query", 3, "temperature", 0));
        assertEquals(7, number(ctx, "sampler-pool", "query", 3, "topK", 7));
        assertEquals(256, number(ctx, "sampler-pool", "query", 3));
        assertEquals("topP", assertThrows(ProbeException.class, () -> number(ctx, "sampler-pool", "query", 3, "topP",
                1.5)).param());
    }

    @Test
    void theSampledTokenIsGreedysPick() {
        EngineContext ctx = run(2);
        float[] first = ctx.read("hook_logits", 0).row(0, 11);
        assertEquals(new Answer.Choice(Integer.toString(order(first)[0])), eval(ctx, "sampled-token"));
        float[] second = ctx.read("hook_logits", 1).row(0, 0);
        assertEquals(new Answer.Choice(Integer.toString(order(second)[0])), eval(ctx, "sampled-token", "pass", 1));
        assertEquals("pass", assertThrows(ProbeException.class, () -> eval(ctx, "sampled-token", "pass", 2)).param());
    }
}
