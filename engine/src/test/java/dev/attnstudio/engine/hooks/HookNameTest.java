package dev.attnstudio.engine.hooks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Hook names parse strictly: the encoder-decoder prefixes, the hooks each kind of name may carry. */
class HookNameTest {

    @Test
    void unprefixedNamesParseAsBefore() {
        HookName.Parsed p = HookName.parse("blocks.3.attn.hook_pattern");
        assertEquals(new HookName.Parsed(null, 3, HookName.Block.PATTERN), p);
        assertNull(p.stack());
        assertEquals(HookName.Model.LOGITS, HookName.parse("hook_logits").model());
        assertEquals("[B, H, T, K]", HookName.shapeOf("blocks.0.attn.hook_pattern"));
    }

    @Test
    void encoderDecoderNamesCarryTheirStack() {
        HookName.Parsed cross = HookName.parse("decoder.blocks.1.cross_attn.hook_pattern");
        assertEquals(HookName.Stack.DECODER, cross.stack());
        assertEquals(1, cross.layer());
        assertEquals(HookName.Block.CROSS_PATTERN, cross.block());
        assertEquals("[B, H, T, S]", cross.shape());
        assertTrue(cross.meaning().contains("encoder positions"), cross.meaning());
        assertEquals("[B, S, H, h]", HookName.shapeOf("decoder.blocks.0.cross_attn.hook_k"));

        HookName.Parsed enc = HookName.parse("encoder.blocks.0.attn.hook_q");
        assertEquals(HookName.Stack.ENCODER, enc.stack());
        assertEquals(HookName.Block.Q, enc.block());
        assertEquals(HookName.Model.POSITION_BIAS, HookName.parse("encoder.hook_position_bias").model());
        assertEquals("[1, H, T, K]", HookName.shapeOf("decoder.hook_position_bias"));
        assertEquals(HookName.Model.LN_FINAL_NORMALIZED, HookName.parse("encoder.ln_final.hook_normalized").model());
        assertEquals("decoder.blocks.2.hook_resid_mid_cross",
                HookName.Stack.DECODER.at(HookName.Block.RESID_MID_CROSS, 2));
        assertEquals(HookName.Block.CROSS_ATTN_OUT, HookName.Block.ATTN_OUT.cross());
    }

    @Test
    void meaningsArePerFamilyAndStack() {
        HookName.Parsed ln1 = HookName.parse("blocks.0.ln1.hook_normalized");
        assertTrue(ln1.meaning().contains("GPT-2") && ln1.meaning().contains("BERT"), "the table's text covers every family");
        assertEquals("RMSNorm of the residual stream, before attention (pre-norm)", ln1.meaningIn("llama"));
        assertTrue(ln1.meaningIn("bert").contains("post-norm"), ln1.meaningIn("bert"));
        assertEquals(ln1.meaning(), ln1.meaningIn("mamba"), "a family without a text of its own gets the table's");
        assertTrue(HookName.parse("decoder.blocks.0.ln2.hook_normalized").meaningIn("t5").contains("cross-attention"));
        assertTrue(HookName.parse("encoder.blocks.0.ln2.hook_normalized").meaningIn("t5").contains("feed-forward"));
        assertTrue(HookName.parse("decoder.hook_embed").meaningIn("t5").contains("decoder's tokens"));
        assertEquals(HookName.parse("blocks.0.attn.hook_pattern").meaning(),
                HookName.parse("blocks.0.attn.hook_pattern").meaningIn("gpt2"), "one text where all families agree");
    }

    @Test
    void namesThatNoModelHasAreRefused() {
        for (String name : new String[] {"blocks.0.cross_attn.hook_q", "encoder.blocks.0.cross_attn.hook_pattern",
                "encoder.blocks.0.ln3.hook_normalized", "hook_position_bias", "encoder.hook_logits",
                "middle.blocks.0.attn.hook_q", "decoder.hook_pos_embed", "decoder.blocks.x.attn.hook_q"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HookName.parse(name), name);
            assertTrue(e.getMessage().contains("decoder.blocks.0.cross_attn.hook_pattern"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> HookName.Block.ROT_Q.cross());
        assertThrows(IllegalArgumentException.class, () -> HookName.Stack.ENCODER.at(HookName.Model.LOGITS));
    }

    @Test
    void theTableListsTheEncoderDecoderHooks() {
        String table = HookName.table();
        assertTrue(table.contains("| `decoder.blocks.{i}.cross_attn.hook_pattern` | [B, H, T, S] |"), table);
        assertTrue(table.contains("| `encoder.hook_position_bias` | [1, H, S, S] |"), table);
        assertTrue(table.contains("| `decoder.hook_position_bias` | [1, H, T, K] |"), table);
        assertTrue(table.contains("`decoder.blocks.{i}.ln3.hook_normalized`"), table);
        assertFalse(table.contains("`blocks.{i}.cross_attn"), "cross-attention exists in decoder blocks only");
        assertFalse(table.contains("| `hook_position_bias`"), "the position bias exists per stack only");
    }
}
