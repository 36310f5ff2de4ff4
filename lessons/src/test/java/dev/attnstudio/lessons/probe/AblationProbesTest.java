package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.intervene.Interventions;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ablation probes against losses and residual streams computed by hand from runs with the engine's ablations. */
class AblationProbesTest {

    private static final String PROMPT = "a5 a12 a40 a7 a33 a21 a5 a12 a40 a7 a33 a21";
    private final List<Stepper> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Stepper::close);
    }

    private Stepper stepper(String... interventions) {
        LoadedModel model = SharedModels.pool().get(new ModelRef.Sample("induction-2l"));
        Interventions iv = Interventions.NONE;
        for (String s : interventions) {
            iv = iv.with(Interventions.parse(s));
        }
        Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withInterventions(iv));
        open.add(s);
        s.reset(EngineActions.batch(Prompt.text(PROMPT), model));
        s.runToEnd();
        return s;
    }

    private EngineContext ctx(Stepper s) {
        return new EngineContext(SharedModels.pool().get(new ModelRef.Sample("induction-2l")), s, Map.of());
    }

    private static double number(EngineContext ctx, String probe, Object... args) {
        return ((Answer.Number) ProbeCatalogue.find(probe).orElseThrow().evaluate(ProbeCall.of(probe, args), ctx)
                .answer()).value();
    }

    /** -log p(next token), averaged over the targets at positions from..to, straight from the logits. */
    private static double handLoss(Stepper s, int from, int to) {
        TensorData logits = s.read("hook_logits");
        long[] ids = s.groups().get(0).inputs().ids()[0];
        double total = 0;
        for (int p = from; p <= to; p++) {
            float[] l = logits.row(0, p - 1);
            double max = Double.NEGATIVE_INFINITY;
            for (float v : l) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : l) {
                sum += Math.exp(v - max);
            }
            total += -(l[(int) ids[p]] - max - Math.log(sum));
        }
        return total / (to - from + 1);
    }

    @Test
    void promptLossIsTheMeanNextTokenLossUnderTheAblation() {
        EngineContext ctx = ctx(stepper());
        assertEquals(handLoss(stepper(), 1, 11), number(ctx, "prompt-loss"), 1e-4);
        assertEquals(handLoss(stepper(), 7, 11), number(ctx, "prompt-loss", "from", 7), 1e-4);
        assertEquals(handLoss(stepper("ablate:0.0"), 7, 11), number(ctx, "prompt-loss", "from", 7, "ablate",
                List.of("0.0")), 1e-4);
        assertEquals(handLoss(stepper("mean-ablate:1.1"), 7, 9), number(ctx, "prompt-loss", "from", 7, "to", 9,
                "ablate", List.of("1.1"), "mean", true), 1e-4);
        // the page's own interventions stay on
        EngineContext ablated = ctx(stepper("ablate:0.0"));
        assertEquals(handLoss(stepper("ablate:0.0"), 7, 11), number(ablated, "prompt-loss", "from", 7), 1e-4);
    }

    @Test
    void theSecondHalfNeedsTheLayer0PreviousTokenHead() {
        EngineContext ctx = ctx(stepper());
        double change = number(ctx, "ablation-loss-change", "ablate", List.of("0.0"), "from", 7);
        assertEquals(handLoss(stepper("ablate:0.0"), 7, 11) - handLoss(stepper(), 7, 11), change, 1e-4);
        assertTrue(change > 0.5, "ablating 0.0 costs the repeated half " + change);
        assertEquals(new Answer.Choice("0.0"), ProbeCatalogue.find("top-ablation").orElseThrow()
                .evaluate(ProbeCall.of("top-ablation", "layer", 0, "from", 7), ctx).answer());
        assertEquals(new Answer.Choice("1.1"), ProbeCatalogue.find("top-ablation").orElseThrow()
                .evaluate(ProbeCall.of("top-ablation", "layer", 1, "from", 7), ctx).answer());
    }

    @Test
    void outputChangeIsTheRelativeDistanceOfTheLastResidualStream() {
        EngineContext ctx = ctx(stepper());
        TensorData clean = stepper().read("blocks.1.hook_resid_post");
        TensorData ablated = stepper("ablate:1.1").read("blocks.1.hook_resid_post");
        double sum = 0;
        for (int t = 0; t < 12; t++) {
            float[] a = clean.row(0, t);
            float[] b = ablated.row(0, t);
            double d = 0;
            double n = 0;
            for (int i = 0; i < a.length; i++) {
                d += (b[i] - a[i]) * (double) (b[i] - a[i]);
                n += a[i] * (double) a[i];
            }
            sum += Math.sqrt(d / n);
        }
        assertEquals(sum / 12, number(ctx, "ablation-output-change", "ablate", List.of("1.1")), 1e-5);
    }

    @Test
    void badHeadsAndRangesAreNamed() {
        EngineContext ctx = ctx(stepper());
        assertEquals("ablate", assertThrows(ProbeException.class, () -> number(ctx, "ablation-loss-change", "ablate",
                List.of("1.9"))).param());
        assertEquals("ablate", assertThrows(ProbeException.class, () -> number(ctx, "ablation-loss-change", "ablate",
                List.of("one"))).param());
        assertEquals("from", assertThrows(ProbeException.class, () -> number(ctx, "prompt-loss", "from", 12)).param());
    }
}
