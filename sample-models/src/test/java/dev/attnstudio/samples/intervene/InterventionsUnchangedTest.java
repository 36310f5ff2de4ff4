package dev.attnstudio.samples.intervene;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.intervene.HeadAblation;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskOverride;
import dev.attnstudio.engine.intervene.Switches;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every intervention, now a set of hooks, gives the numbers it gave when it was a flag tested inside the models'
 * kernels. {@code interventions-recorded.json} was written by a program run against the engine before the hooks
 * (commit 8970ab8): for each bundled sample of each family and each intervention it holds the output, the patterns of
 * two layers and four greedily generated tokens (with the last pass's output), each as shape, sums and first values.
 * Here the same runs are repeated through the hooks and must agree exactly.
 */
class InterventionsUnchangedTest {

    private static final JsonNode RECORDED = read();

    private static JsonNode read() {
        try (InputStream in = InterventionsUnchangedTest.class.getResourceAsStream(
                "/dev/attnstudio/samples/interventions-recorded.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The recorded configurations, now as interventions (T5's old ablation reached every attention of the block). */
    private static Map<String, Interventions> configs(boolean twoStacks) {
        Map<String, Interventions> c = new LinkedHashMap<>();
        c.put("none", Interventions.NONE);
        Interventions ablate = Interventions.NONE.withAblatedHead(0, 1).withAblatedHead(1, 2);
        Interventions ablate01 = Interventions.NONE.withAblatedHead(0, 1);
        if (twoStacks) {
            ablate = ablate.with(new HeadAblation(HeadAblation.Site.CROSS, 0, 1, false))
                    .with(new HeadAblation(HeadAblation.Site.CROSS, 1, 2, false));
            ablate01 = ablate01.with(new HeadAblation(HeadAblation.Site.CROSS, 0, 1, false));
        }
        c.put("ablate 0.1 + 1.2", ablate);
        c.put("no-scaling", Interventions.NONE.with(Switches.NO_SCALING));
        c.put("no-positions", Interventions.NONE.with(Switches.NO_POSITIONS));
        c.put("mask bidirectional", Interventions.NONE.with(MaskOverride.BIDIRECTIONAL));
        c.put("mask causal", Interventions.NONE.with(MaskOverride.CAUSAL));
        c.put("mask window 3", Interventions.NONE.with(MaskOverride.window(3)));
        c.put("all", ablate01.with(Switches.NO_SCALING).with(Switches.NO_POSITIONS).with(MaskOverride.window(3)));
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt", "tiny-llama", "reverse-t5", "all-minilm-l6-v2"})
    void sameNumbersAsBeforeTheHooks(String sample) {
        boolean encoder = sample.equals("all-minilm-l6-v2");
        boolean t5 = sample.equals("reverse-t5");
        try (LoadedModel m = SampleModels.open(sample, DjlRuntime.DeviceChoice.CPU)) {
            Batch batch = encoder
                    ? Batch.pad(List.of(m.tokenizer().encode("the cat sat on the mat").ids(),
                    m.tokenizer().encode("a dog").ids()), null, Batch.Padding.RIGHT, 0)
                    : Batch.of(m.tokenizer().encode(t5 ? "attention" : "In the beginning God").ids());
            for (Map.Entry<String, Interventions> c : configs(t5).entrySet()) {
                JsonNode before = RECORDED.path(sample).path(c.getKey());
                assertFalse(before.isMissingNode(), sample + " " + c.getKey() + " was recorded");
                String where = sample + ", " + c.getKey();
                try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT.withInterventions(c.getValue()))) {
                    s.reset(batch);
                    s.runToEnd();
                    String out = m.model().outputHook();
                    same(before.get("output"), s.read(out), where + ": output");
                    same(before.get("pattern0"), s.read(t5 ? "decoder.blocks.0.attn.hook_pattern" : "blocks.0.attn.hook_pattern"),
                            where + ": layer 0 pattern");
                    if (t5) {
                        same(before.get("encoderPattern1"), s.read("encoder.blocks.1.attn.hook_pattern"), where + ": encoder");
                        same(before.get("crossPattern1"), s.read("decoder.blocks.1.cross_attn.hook_pattern"), where + ": cross");
                    } else {
                        same(before.get("pattern1"), s.read("blocks.1.attn.hook_pattern"), where + ": layer 1 pattern");
                    }
                    if (!encoder) {
                        List<Long> generated = new ArrayList<>();
                        for (int i = 0; i < 4; i++) {
                            generated.add((long) s.generate(new Sampler(SamplingConfig.GREEDY)).token());
                            s.runToEnd();
                        }
                        List<Long> recorded = new ArrayList<>();
                        before.get("generated").forEach(n -> recorded.add(n.asLong()));
                        assertEquals(recorded, generated, where + ": generated tokens");
                        same(before.get("lastOutput"), s.read(out), where + ": last decode pass");
                    }
                }
            }
        }
    }

    /** The tensor matches its record exactly: shape, NaN count, sums in double, first values. */
    private static void same(JsonNode recorded, TensorData t, String what) {
        long[] shape = new long[recorded.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = recorded.get("shape").get(i).asLong();
        }
        assertArrayEquals(shape, t.shape(), what + ": shape");
        double sum = 0, squares = 0, abs = 0, weighted = 0;
        int nan = 0;
        float[] v = t.values();
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                nan++;
                continue;
            }
            sum += v[i];
            squares += (double) v[i] * v[i];
            abs += Math.abs(v[i]);
            weighted += v[i] * (double) ((i % 97) + 1);
        }
        assertEquals(recorded.get("nan").asInt(), nan, what + ": NaN count");
        assertEquals(recorded.get("sum").asDouble(), sum, 0, what + ": sum");
        assertEquals(recorded.get("sumSquares").asDouble(), squares, 0, what + ": sum of squares");
        assertEquals(recorded.get("sumAbs").asDouble(), abs, 0, what + ": sum of |x|");
        assertEquals(recorded.get("weightedSum").asDouble(), weighted, 0, what + ": weighted sum");
        for (int i = 0; i < recorded.get("first").size(); i++) {
            assertEquals((float) recorded.get("first").get(i).asDouble(), v[i], 0f, what + ": value " + i);
        }
    }
}
