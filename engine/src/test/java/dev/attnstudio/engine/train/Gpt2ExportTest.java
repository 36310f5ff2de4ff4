package dev.attnstudio.engine.train;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.Gpt2Folder;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Gpt2Model;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** A trained model written as a Hugging Face folder opens through the user's path to the same logits. */
class Gpt2ExportTest {

    @TempDir
    Path dir;

    @Test
    void exportOfALoadedModelIsTheCheckpointItCameFrom() {
        Map<String, SafeTensors.Tensor> original = RandomGpt2.tensors(TrainerTest.TINY, 8, 0.3f);
        try (LoadedModel m = LoadedModel.of("x", TrainerTest.TINY, original, null, DjlRuntime.DeviceChoice.CPU)) {
            Map<String, SafeTensors.Tensor> exported = ((Gpt2Model) m.model()).toHuggingFace();
            assertEquals(List.copyOf(original.keySet()), List.copyOf(exported.keySet()), "names and order");
            original.forEach((name, t) -> {
                assertArrayEquals(t.shape(), exported.get(name).shape(), name);
                assertArrayEquals(t.values(), exported.get(name).values(), 0f, name);
            });
        }
    }

    @Test
    void aTrainedModelReopensToTheSameLogits() throws IOException {
        long[] prompt = {3, 9, 4, 1, 3, 9, 4};
        float[] trained;
        Path folder = dir.resolve("trained-tiny");
        try (LoadedModel m = TrainerTest.tiny(4)) {
            try (Trainer trainer = new Trainer(m.model(), Optimization.adam(1e-2f), Interventions.NONE, 4)) {
                SplittableRandom data = new SplittableRandom(5);
                for (int i = 0; i < 3; i++) {
                    trainer.step(TrainerTest.repeats(data, 8));
                }
            }
            trained = logits(m, prompt);
            Gpt2Folder.write(folder, (Gpt2Model) m.model(), null, Map.of("note", "test"));
        }
        try (LoadedModel reopened = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            assertEquals("trained-tiny", reopened.name());
            assertEquals(TrainerTest.TINY, reopened.config());
            float[] again = logits(reopened, prompt);
            double max = 0;
            for (int i = 0; i < trained.length; i++) {
                max = Math.max(max, Math.abs(trained[i] - again[i]));
            }
            assertTrue(max <= 1e-6, "max |logit difference| = " + max);
        }
        try (LoadedModel untrained = TrainerTest.tiny(4)) {
            float[] before = logits(untrained, prompt);
            assertFalse(java.util.Arrays.equals(before, trained), "the test needs weights that training changed");
        }
    }

    @Test
    void theTokenizerIsWrittenAlongside() throws IOException {
        var config = new dev.attnstudio.engine.config.ModelConfig(1, 2, 16, 8, 256, 1e-5,
                dev.attnstudio.engine.config.ModelConfig.Activation.GELU_NEW);
        Path folder = dir.resolve("bytes");
        try (LoadedModel m = LoadedModel.of("b", config, RandomGpt2.tensors(config, 1, 0.1f), null, DjlRuntime.DeviceChoice.CPU)) {
            Gpt2Folder.write(folder, (Gpt2Model) m.model(), ByteLevelVocab.tokenizerJson(), Map.of());
        }
        try (LoadedModel reopened = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            assertArrayEquals(new long[] {'h', 'i'}, reopened.tokenizer().encode("hi").ids());
        }
    }

    private static float[] logits(LoadedModel m, long[] prompt) {
        try (Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
            s.reset(prompt);
            s.runToEnd();
            return s.read(HookName.Model.LOGITS.id).values();
        }
    }
}
