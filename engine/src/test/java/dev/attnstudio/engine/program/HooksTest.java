package dev.attnstudio.engine.program;

import ai.djl.ndarray.NDArray;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.TinyModels;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.attnstudio.engine.hooks.HookName.Block.*;
import static org.junit.jupiter.api.Assertions.*;

/** The hook contract: (tensor, context) -> tensor, read or patch, scoped registration, recorded patches. */
class HooksTest {

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

    private Stepper stepper(Capture capture) {
        return new Stepper(model.model(), Stepper.Options.DEFAULT.withCapture(capture));
    }

    @Test
    void aReadingHookSeesEveryMatchingValueWithItsContextAndPatchesNothing() {
        List<String> seen = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        try (Stepper s = stepper(Capture.COMPACT)) {
            try (Hooks.Handle h = s.hooks().add("blocks.*.attn.hook_pattern", "watch", (t, ctx) -> {
                seen.add(ctx.name() + " layer " + ctx.layer() + " heads " + ctx.heads() + " batch " + ctx.batch()
                        + " positions " + ctx.firstPosition() + "+" + ctx.positions() + " " + ctx.passKind());
                values.add(t.toFloatArray());
                return t;
            })) {
                s.reset(PROMPT);
                s.runToEnd();
                s.generate(new Sampler(SamplingConfig.GREEDY));
                s.runToEnd();
            }
            assertEquals(List.of(
                    "blocks.0.attn.hook_pattern layer 0 heads 4 batch 1 positions 0+8 PREFILL",
                    "blocks.1.attn.hook_pattern layer 1 heads 4 batch 1 positions 0+8 PREFILL",
                    "blocks.0.attn.hook_pattern layer 0 heads 4 batch 1 positions 8+1 DECODE",
                    "blocks.1.attn.hook_pattern layer 1 heads 4 batch 1 positions 8+1 DECODE"), seen);
            assertArrayEquals(values.get(3), s.read(PATTERN.at(1)).values(), 0f, "the hook saw the value the trace holds");
            assertTrue(s.group().trace().patchedNames().isEmpty());
            assertTrue(s.hooks().isEmpty(), "closing the handle removed the hook");
        }
    }

    @Test
    void aPatchIsWhatLaterStepsReadAndWhatTheTraceKeeps() {
        float[] plain;
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            s.runToEnd();
            plain = s.read(HookName.Model.LOGITS.id).values();
        }
        try (Stepper s = stepper(Capture.COMPACT)) {
            // a uniform pattern over the allowed keys in layer 0: a derivable step a compact trace would not keep
            s.hooks().add("blocks.0.attn.hook_pattern", "uniform", (p, ctx) -> {
                NDArray allowed = ctx.value(MASK.at(0)).isInfinite().logicalNot().toType(p.getDataType(), false);
                NDArray ones = p.onesLike().mul(allowed);
                return ones.div(ones.sum(new int[] {-1}, true));
            });
            s.reset(PROMPT);
            Stepper.StepInfo at = s.runTo(PATTERN.at(0));
            assertEquals(List.of("uniform"), at.patches());
            assertEquals(0.25f, s.read(PATTERN.at(0)).get(0, 2, 3, 1), 1e-6f, "query 3 sees 4 keys equally");
            s.runToEnd();
            assertEquals(List.of(PATTERN.at(0)), s.group().trace().patchedNames());
            assertTrue(s.group().trace().keptNames().contains(PATTERN.at(0)), "a patched value is kept, not recomputed");
            assertEquals(0.25f, s.read(PATTERN.at(0)).get(0, 2, 3, 1), 1e-6f, "read back after the pass: still the patch");
            float[] patched = s.read(HookName.Model.LOGITS.id).values();
            assertFalse(Arrays.equals(plain, patched), "later steps read the patch");
            TensorData z = s.read(Z.at(0));
            assertEquals(4, z.shape()[2]);
        }
    }

    @Test
    void aOnePassHookIsGoneAfterThePassAndPatchesWorkWithCaptureOff() {
        try (Stepper s = stepper(Capture.OFF)) {
            int[] calls = {0};
            s.hooks().addForPass("blocks.1.hook_attn_out", "zero", (x, ctx) -> {
                calls[0]++;
                return x.zerosLike();
            });
            s.reset(PROMPT);
            s.runToEnd();
            assertEquals(1, calls[0]);
            assertTrue(s.hooks().isEmpty(), "the one-pass hook removed itself when the pass completed");
            assertEquals(List.of("zero"), s.group().trace().patches("blocks.1.hook_attn_out"));
            s.generate(new Sampler(SamplingConfig.GREEDY));
            s.runToEnd();
            assertEquals(1, calls[0], "the decode pass ran without it");
            assertTrue(s.group().trace().patchedNames().isEmpty());
        }
    }

    @Test
    void aPatchOfTheWrongShapeIsRefusedWithTheHookNamed() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.hooks().add("blocks.0.attn.hook_z", "truncate", (z, ctx) -> z.get("..., :2"));
            s.reset(PROMPT);
            IllegalStateException e = assertThrows(IllegalStateException.class, s::runToEnd);
            assertTrue(e.getMessage().contains("'truncate'") && e.getMessage().contains("blocks.0.attn.hook_z")
                    && e.getMessage().contains("keep the shape"), e.getMessage());
            s.hooks().clear();
            s.hooks().add("blocks.0.attn.hook_z", "nothing", (z, ctx) -> null);
            s.reset(PROMPT);
            e = assertThrows(IllegalStateException.class, s::runToEnd);
            assertTrue(e.getMessage().contains("returned nothing"), e.getMessage());
        }
    }

    @Test
    void everyStepSaysWhatItIsAsData() {
        try (Stepper s = stepper(Capture.COMPACT)) {
            s.reset(PROMPT);
            s.runToEnd();
            Program p = s.group().trace().program();
            for (Op op : p.ops()) {
                assertNotNull(op.kind(), op.name());
                assertNotNull(op.site(), op.name());
                assertEquals(op.kind() == Op.Kind.NORM, op.norm() != null, op.name());
                assertEquals(op.kind() == Op.Kind.SCALE, !Float.isNaN(op.scale()), op.name());
                assertEquals(op.kind() == Op.Kind.MASK, op.mask() != null, op.name());
                if (op.name().startsWith("blocks.")) {
                    assertEquals(HookName.parse(op.name()).layer(), op.site().layer(), op.name());
                }
            }
            Op scale = p.op(p.indexOf(ATTN_SCORES_UNMASKED.at(1)));
            assertEquals((float) (1 / Math.sqrt(8)), scale.scale(), 1e-7f, "d_head 8");
            assertEquals(Op.SubLayer.ATTENTION, scale.site().subLayer());
            assertEquals(Op.NormType.LAYER_NORM, p.op(p.indexOf(LN2_NORMALIZED.at(0))).norm());
            assertEquals(Op.SubLayer.MLP, p.op(p.indexOf(MLP_POST.at(0))).site().subLayer());
            assertEquals(MaskRule.CAUSAL, p.op(p.indexOf(MASK.at(0))).mask().rule());
            assertEquals(Op.Kind.UNEMBED, s.current().kind());
            assertEquals(List.of(Op.Kind.IDENTITY, Op.Kind.NORM, Op.Kind.Q_PROJ, Op.Kind.K_PROJ, Op.Kind.V_PROJ,
                    Op.Kind.QK_RAW, Op.Kind.SCALE, Op.Kind.MASK, Op.Kind.APPLY_MASK, Op.Kind.SOFTMAX, Op.Kind.Z,
                    Op.Kind.OUT_PROJ, Op.Kind.RESIDUAL_ADD, Op.Kind.NORM, Op.Kind.MLP_IN, Op.Kind.MLP_ACT, Op.Kind.MLP_OUT,
                    Op.Kind.RESIDUAL_ADD), p.ops().stream().filter(op -> op.group().equals("blocks.1")).map(Op::kind).toList(),
                    "a GPT-2 block, step by step");
        }
    }
}
