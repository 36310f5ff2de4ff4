package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Current step panel says what a hook holds in the open model's family only: a LLaMA step does not talk about T5,
 * a BERT step not about rotary positions. Checked on every step of a sample of each family.
 */
class FamilyMeaningsTest {

    /** Per family, words that belong to the other families' texts. */
    private static final Map<String, List<String>> FOREIGN = Map.of(
            "gpt2", List.of("T5", "BERT", "LLaMA", "rotary", "gated", "(encoders)", "RMS"),
            "llama", List.of("T5", "BERT", "GPT-2", "(rotary models", "(gated MLPs", "(encoders)", "LayerNorm"),
            "bert", List.of("T5", "LLaMA", "GPT-2", "rotary", "gated", "RMS", "KV cache"),
            "t5", List.of("BERT", "LLaMA", "GPT-2", "rotary", "(T5", "T5 decoder", "LayerNorm", "(encoders)"));

    @Test
    void everyStepOfEachFamilySaysWhatItHoldsInThatFamily() {
        for (String sample : List.of("tiny-gpt", "all-minilm-l6-v2", "tiny-llama", "reverse-t5")) {
            try (LoadedModel m = SampleModels.open(sample, DjlRuntime.DeviceChoice.CPU);
                 Stepper stepper = new Stepper(m.model(), Stepper.Options.DEFAULT.withCapture(Capture.OFF))) {
                String family = m.model().capabilities().family();
                stepper.reset(m.tokenizer().encode(SampleModels.find(sample).orElseThrow().prompt()).ids());
                List<String> names = stepper.group().trace().program().names();
                List<String> wrong = new ArrayList<>();
                for (String name : names) {
                    String text = HookName.parse(name).meaningIn(family);
                    assertFalse(text.isBlank(), name);
                    FOREIGN.get(family).stream().filter(text::contains).forEach(w -> wrong.add(name + ": " + text));
                }
                assertTrue(wrong.isEmpty(), sample + " (" + family + ") shows other families' texts: " + wrong);
            }
        }
    }

    @Test
    void theCurrentStepShowsTheOpenFamilysMeaning() {
        try (MainViewModel vm = new MainViewModel(new DirectEngineExecutor(), ModelOpener.standard(DjlRuntime.DeviceChoice.CPU))) {
            vm.session().openSample("tiny-llama");
            while (vm.stepping().currentStepProperty().get() == null
                    || !vm.stepping().currentStepProperty().get().name().equals("blocks.0.ln1.hook_normalized")) {
                vm.stepping().step();
            }
            assertEquals("RMSNorm of the residual stream, before attention (pre-norm)",
                    vm.stepping().currentStepProperty().get().meaning());

            vm.session().openSample("reverse-t5");
            while (vm.stepping().currentStepProperty().get() == null
                    || !vm.stepping().currentStepProperty().get().name().equals("encoder.blocks.0.ln2.hook_normalized")) {
                vm.stepping().step();
            }
            assertEquals("RMS norm of resid_mid, before the feed-forward (pre-norm)", vm.stepping().currentStepProperty().get().meaning());
        }
    }
}
