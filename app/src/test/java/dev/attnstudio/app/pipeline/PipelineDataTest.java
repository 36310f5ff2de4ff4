package dev.attnstudio.app.pipeline;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomLlama;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.Pass;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The diagram's structure, derived from real programs' hook names and inputs (no FX needed). */
class PipelineDataTest {

    @Test
    void gpt2PassHasANodePerStepWithRecordedAndDocumentedShapes() {
        try (LoadedModel model = SampleModels.open("random-gpt2-tiny", DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(new long[] {72, 101, 108, 108, 111});
            PipelineData before = PipelineData.from(stepper);
            assertEquals(-1, before.current(), "before the first step nothing is current");
            assertTrue(before.nodes().stream().noneMatch(PipelineData.Node::computed));
            stepper.runTo("blocks.1.attn.hook_pattern");
            PipelineData d = PipelineData.from(stepper);
            Program program = stepper.group().trace().program();
            List<PipelineData.Node> nodes = d.nodes();
            assertEquals(program.size(), nodes.size());
            int cursor = stepper.current().index();
            assertEquals(cursor, d.current());
            assertEquals(cursor + 1, d.executed());
            for (int i = 0; i < nodes.size(); i++) {
                PipelineData.Node n = nodes.get(i);
                assertEquals(i, n.index());
                assertEquals(program.op(i).name(), n.hook());
                assertEquals(i <= cursor, n.computed());
                String expected = i <= cursor ? Arrays.toString(stepper.group().trace().shapeOf(n.hook()))
                        : HookName.documentedShape(n.hook());
                assertEquals(expected, n.shape(), n.hook());
            }
            assertEquals(List.of("Embedding", "Block 0", "Block 1", "Block 2", "Block 3", "Unembedding"),
                    d.units().stream().map(PipelineData.Unit::title).toList());
            assertEquals("[1, 4, 5, 5]", node(d, "blocks.1.attn.hook_pattern").shape());
            assertEquals("[B, H, T, K]", node(d, "blocks.2.attn.hook_pattern").shape());
            // Q, K and V read the same input: one row; the mask reads nothing: beside the scaled scores
            assertSameRow(d, "blocks.0.attn.hook_q", "blocks.0.attn.hook_k", "blocks.0.attn.hook_v");
            assertSameRow(d, "blocks.0.attn.hook_attn_scores_unmasked", "blocks.0.attn.hook_mask");
            assertFalse(node(d, "blocks.0.attn.hook_qk_raw").row() == node(d, "blocks.0.attn.hook_q").row());
            assertSameRow(d, "hook_embed", "hook_pos_embed");
            assertEquals("softmax", node(d, "blocks.0.attn.hook_pattern").label());
            assertEquals("LayerNorm", node(d, "blocks.0.ln1.hook_normalized").label());
            assertEquals("attn", node(d, "blocks.0.attn.hook_z").module());
        }
    }

    @Test
    void llamaShowsRmsNormRotationAndTheGatedMlp() {
        try (LoadedModel model = SampleModels.open("tiny-llama", DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(new long[] {10, 20, 30});
            stepper.runToEnd();
            PipelineData d = PipelineData.from(stepper);
            assertEquals("RMSNorm", node(d, "blocks.0.ln1.hook_normalized").label());
            assertSameRow(d, "blocks.0.attn.hook_rot_q", "blocks.0.attn.hook_rot_k");
            assertSameRow(d, "blocks.0.mlp.hook_pre", "blocks.0.mlp.hook_pre_linear");
            assertTrue(d.nodes().stream().allMatch(PipelineData.Node::computed));
            assertEquals(d.nodes().size() - 1, d.current());
        }
    }

    /** Gemma 2's four norms and soft-capping, and Qwen3's per-head q/k norms, laid out from their programs alone. */
    @Test
    void gemma2AndQwen3StepsDrawInOrder() {
        ModelConfig gemma = new ModelConfig(ModelConfig.Architecture.GEMMA2, 2, 4, 32, 48, 64, 97, 0, 1e-6,
                ModelConfig.Activation.GELU_NEW, new ModelConfig.Llama(2, 10000, true,
                new ModelConfig.Variant(16, false, false, false, 4, List.of(true, false), 24, 20, 30)));
        try (LoadedModel model = LoadedModel.of("g", gemma, RandomLlama.tensors(gemma, 1, 0.25f), null,
                DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(new long[] {10, 20, 30});
            stepper.runToEnd();
            PipelineData d = PipelineData.from(stepper);
            assertEquals("soft-cap", node(d, "blocks.0.attn.hook_attn_scores_capped").label());
            assertSameRow(d, "blocks.0.attn.hook_attn_scores_capped", "blocks.0.attn.hook_mask");
            assertTrue(node(d, "blocks.0.attn.hook_attn_scores_capped").row() > node(d,
                    "blocks.0.attn.hook_attn_scores_unmasked").row(), "capping reads the scaled scores: a row below");
            assertEquals("RMSNorm", node(d, "blocks.0.ln1_post.hook_normalized").label());
            assertEquals("ln1_post", node(d, "blocks.0.ln1_post.hook_normalized").module());
            assertEquals("RMSNorm", node(d, "blocks.1.ln2_post.hook_normalized").label());
            assertEquals("unembed", node(d, "hook_logits_uncapped").label());
            assertEquals("soft-cap logits", node(d, "hook_logits").label());
        }
        ModelConfig qwen3 = new ModelConfig(ModelConfig.Architecture.QWEN3, 1, 4, 32, 48, 64, 97, 0, 1e-6,
                ModelConfig.Activation.SILU, new ModelConfig.Llama(2, 10000, false,
                new ModelConfig.Variant(12, false, false, true, 0, List.of(), 0, 0, 0)));
        try (LoadedModel model = LoadedModel.of("q", qwen3, RandomLlama.tensors(qwen3, 2, 0.25f), null,
                DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(new long[] {10, 20, 30});
            stepper.runToEnd();
            PipelineData d = PipelineData.from(stepper);
            assertEquals("RMSNorm Q", node(d, "blocks.0.attn.hook_q_normed").label());
            assertEquals("RMSNorm K", node(d, "blocks.0.attn.hook_k_normed").label());
            assertSameRow(d, "blocks.0.attn.hook_q_normed", "blocks.0.attn.hook_k_normed");
            assertTrue(node(d, "blocks.0.attn.hook_q_normed").row() > node(d, "blocks.0.attn.hook_q").row());
            assertTrue(node(d, "blocks.0.attn.hook_rot_q").row() > node(d, "blocks.0.attn.hook_q_normed").row());
            assertEquals("attn", node(d, "blocks.0.attn.hook_q_normed").module());
        }
    }

    @Test
    void encoderDecoderNamesGiveStacksAndCrossAttention() {
        Op.Kernel none = (in, m) -> {
            throw new AssertionError("not run");
        };
        Program p = new Program.Builder(Pass.encoderDecoder(1, 3, null, 1, 0, null), 4, 4)
                .group("encoder.embed").op("encoder.hook_embed", Op.Kind.EMBED, "embed", none, Program.INPUT_IDS)
                .group("encoder.blocks.0").op("encoder.blocks.0.attn.hook_q", Op.Kind.Q_PROJ, "q", none, "encoder.hook_embed")
                .op("encoder.blocks.0.attn.hook_k", Op.Kind.K_PROJ, "k", none, "encoder.hook_embed")
                .group("decoder.blocks.0")
                .op("decoder.blocks.0.cross_attn.hook_q", Op.Kind.Q_PROJ, "q", none, "encoder.blocks.0.attn.hook_q")
                .op("decoder.blocks.0.cross_attn.hook_pattern", Op.Kind.SOFTMAX, "softmax", none,
                        "decoder.blocks.0.cross_attn.hook_q")
                .op("decoder.blocks.0.cross_attn.hook_t5_bias", Op.Kind.POSITION_BIAS, "relative position bias", none)
                .build();
        PipelineData d = PipelineData.of(p, 2, i -> new long[] {1, 3, 8}, 0, PassKind.PREFILL, 1);
        assertEquals(List.of("Encoder embedding", "Encoder block 0", "Decoder block 0"),
                d.units().stream().map(PipelineData.Unit::title).toList());
        PipelineData.Node cross = node(d, "decoder.blocks.0.cross_attn.hook_pattern");
        assertEquals("cross_attn", cross.module());
        assertEquals("cross-attention", PipelineData.moduleTitle(cross.module()));
        assertEquals("softmax", cross.label());
        assertEquals("[B, H, T, S]", cross.shape(), "cross-attention: keys are the S source positions");
        assertEquals("t5_bias", node(d, "decoder.blocks.0.cross_attn.hook_t5_bias").label());
        assertEquals("?", node(d, "decoder.blocks.0.cross_attn.hook_t5_bias").shape(), "unlisted hooks say so");
        assertEquals("[1, 3, 8]", node(d, "encoder.blocks.0.attn.hook_q").shape());
    }

    private static PipelineData.Node node(PipelineData d, String hook) {
        return d.nodes().stream().filter(n -> n.hook().equals(hook)).findFirst().orElseThrow(() -> new AssertionError(hook));
    }

    private static void assertSameRow(PipelineData d, String... hooks) {
        int row = node(d, hooks[0]).row();
        for (String h : hooks) {
            assertEquals(row, node(d, h).row(), h + " shares a row with " + hooks[0]);
        }
    }
}
