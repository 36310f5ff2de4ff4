package dev.attnstudio.app.attention;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionSourceTest {

    private static final ModelConfig GPT2 = new ModelConfig(2, 4, 32, 64, 50, 1e-5, ModelConfig.Activation.GELU_NEW);
    private static final ModelConfig BERT = new ModelConfig(ModelConfig.Architecture.BERT, 2, 4, 32, 64, 40, 50, 2, 1e-12,
            ModelConfig.Activation.GELU);
    private static final ModelConfig T5 = new ModelConfig(ModelConfig.Architecture.T5, 2, 4, 32, 40, 64, 61, 0, 1e-6,
            ModelConfig.Activation.RELU, new ModelConfig.T5(8, 2, 32, 128, false, true, 0));

    @Test
    void causalOnlyWhereQueriesMayNotLookAhead() {
        assertTrue(AttentionSource.SELF.causal(LoadedModel.capabilities(GPT2)), "a decoder-only model");
        assertFalse(AttentionSource.SELF.causal(LoadedModel.capabilities(BERT)), "an encoder");
        assertFalse(AttentionSource.ENCODER.causal(LoadedModel.capabilities(T5)));
        assertTrue(AttentionSource.DECODER.causal(LoadedModel.capabilities(T5)));
        assertFalse(AttentionSource.CROSS.causal(LoadedModel.capabilities(T5)), "decoder queries read every encoder token");
    }

    @Test
    void aModelOpensOnAnAttentionItHas() {
        assertEquals(AttentionSource.SELF, AttentionSource.of(LoadedModel.capabilities(GPT2)));
        assertEquals(AttentionSource.SELF, AttentionSource.of(LoadedModel.capabilities(BERT)));
        assertEquals(AttentionSource.ENCODER, AttentionSource.of(LoadedModel.capabilities(T5)));
        assertEquals("decoder.blocks.1.cross_attn.hook_pattern", AttentionSource.CROSS.hook(1, AttentionSource.PATTERN));
    }
}
