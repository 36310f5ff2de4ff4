package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.MaskOverride;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.model.RandomLlama;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Mask view names a sliding window's blocked cells as the window's (a Mistral folder with W = 3): every key three or
 * more positions back is window-blocked, every later key causal-blocked; under a mask override the blocked cells are the
 * override's, not the window's.
 */
class MaskWindowTest {

    private static final int WINDOW = 3;

    @Test
    void aSlidingWindowsBlockedCellsAreWindowBlockedUnlessAnOverrideReplacedTheMask(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "mistral", "hidden_size": 32, "num_attention_heads": 2, "num_key_value_heads": 1,
                 "num_hidden_layers": 1, "intermediate_size": 64, "max_position_embeddings": 64, "vocab_size": 256,
                 "rms_norm_eps": 1e-6, "hidden_act": "silu", "sliding_window": %d}""".formatted(WINDOW));
        ModelConfig c = ModelConfig.read(dir.resolve("config.json"));
        SafeTensors.write(dir.resolve("model.safetensors"), RandomLlama.tensors(c, 5, 0.2f), Map.of("format", "pt"));
        try (InputStream tokenizer = getClass().getResourceAsStream("/dev/attnstudio/samples/tiny-gpt/tokenizer.json")) {
            Files.copy(tokenizer, dir.resolve("tokenizer.json"));
        }
        long[] ids = {72, 101, 108, 108, 111, 33, 32, 87};
        int t = ids.length;
        try (LoadedModel mistral = ModelFolder.open(dir, DjlRuntime.DeviceChoice.CPU)) {
            MaskData plain = mask(mistral, ids, Interventions.NONE);
            for (int q = 0; q < t; q++) {
                for (int k = 0; k < t; k++) {
                    MaskData.Cell expected = k > q ? MaskData.Cell.CAUSAL : q - k >= WINDOW ? MaskData.Cell.WINDOW
                            : MaskData.Cell.ALLOWED;
                    assertEquals(expected, plain.cell(q, k), "query " + q + ", key " + k);
                }
            }
            assertEquals((t - WINDOW) * (t - WINDOW + 1) / 2, plain.counts()[MaskData.Cell.WINDOW.ordinal()]);

            MaskData overridden = mask(mistral, ids, Interventions.NONE.with(MaskOverride.window(2)));
            assertEquals(0, overridden.counts()[MaskData.Cell.WINDOW.ordinal()], "the override's cells are not the window's");
            assertEquals((t - 2) * (t - 1) / 2, overridden.counts()[MaskData.Cell.OTHER.ordinal()]);
        }
    }

    private static MaskData mask(LoadedModel model, long[] ids, Interventions interventions) {
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT.withInterventions(interventions))) {
            s.reset(ids);
            s.runTo("blocks.0.attn.hook_pattern");
            return MaskData.from(s, model, AttentionSource.SELF, 0, 0);
        }
    }
}
