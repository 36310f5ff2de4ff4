package dev.attnstudio.engine.step;

import ai.djl.ndarray.types.Shape;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.TinyModels;
import dev.attnstudio.engine.program.Hooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trace names the first step whose value is not finite: none in a healthy run (whose masks hold -inf by design), the
 * patched step when a hook writes NaN or an infinity, and the pattern when the flipped-mask bug leaves a query no key.
 */
class NonFiniteTest {

    private static final long[] PROMPT = {5, 17, 3, 88, 41, 41, 0, 96};
    private static LoadedModel model;

    @BeforeAll
    static void load() {
        model = TinyModels.load(TinyModels.tensors(7));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aHealthyRunHasNoNonFiniteStepThoughItsMasksHoldMinusInfinity() {
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            s.reset(PROMPT);
            s.runToEnd();
            assertTrue(s.group().trace().read("blocks.0.attn.hook_mask").values()[1] == Float.NEGATIVE_INFINITY,
                    "the causal mask blocks key 1 for query 0 with -inf");
            assertEquals(Optional.empty(), s.group().trace().firstNonFinite());
        }
    }

    @Test
    void theFirstStepAHookMadeNonFiniteIsNamedNotTheLaterOnesItSpoils() {
        for (float poison : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT);
                 Hooks.Handle h = s.hooks().add("blocks.1.hook_mlp_out", "poison", (x, ctx) ->
                         x.add(ctx.manager().full(new Shape(), poison)))) {
                s.reset(PROMPT);
                s.runToEnd();
                Trace.NonFinite first = s.group().trace().firstNonFinite().orElseThrow();
                assertEquals("blocks.1.hook_mlp_out", first.hook());
                assertEquals(Float.isNaN(poison) ? "NaN" : "Inf", first.what());
                assertEquals(s.group().trace().program().indexOf("blocks.1.hook_mlp_out"), first.step());
            }
        }
    }

    @Test
    void theFlippedMaskBugIsCaughtAtTheFirstPatternWithARowOfNoKeys() {
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withInterventions(
                Interventions.NONE.with(MaskBug.FLIPPED)))) {
            s.reset(PROMPT);
            s.runToEnd();
            Trace.NonFinite first = s.group().trace().firstNonFinite().orElseThrow();
            assertEquals("NaN", first.what());
            assertTrue(first.hook().startsWith("blocks.0.attn."), first.toString());
        }
    }

    @Test
    void aFusedRunNamesTheFirstKeptStepANaNReached() {
        Map<String, SafeTensors.Tensor> weights = TinyModels.tensors(7);
        weights.get("h.1.ln_2.weight").values()[3] = Float.NaN; // block 1's MLP input turns NaN
        try (LoadedModel poisoned = TinyModels.load(weights)) {
            Map<Capture, String> expected = Map.of(
                    Capture.FULL, "blocks.1.ln2.hook_normalized", // every step kept: the first one
                    Capture.COMPACT, "blocks.1.hook_mlp_out", // the norm and the MLP's inner steps are recomputed, not kept
                    Capture.OFF, HookName.Model.LOGITS.id); // a plain pass keeps the logits and the cache's keys and values only
            for (Map.Entry<Capture, String> e : expected.entrySet()) {
                try (Stepper s = new Stepper(poisoned.model(), Stepper.Options.DEFAULT.withCapture(e.getKey()))) {
                    s.reset(PROMPT);
                    s.runToEnd(); // nobody looks: fused
                    Trace.NonFinite first = s.group().trace().firstNonFinite().orElseThrow();
                    assertEquals(e.getValue(), first.hook(), e.getKey().toString());
                    assertEquals("NaN", first.what());
                }
                try (Stepper s = new Stepper(poisoned.model(), Stepper.Options.DEFAULT.withCapture(e.getKey()))) {
                    s.reset(PROMPT);
                    while (s.step() != null) {
                        // step by step every value is checked: the norm itself is named
                    }
                    assertEquals("blocks.1.ln2.hook_normalized", s.group().trace().firstNonFinite().orElseThrow().hook());
                }
            }
        }
    }
}
