package dev.attnstudio.app.diagnostics;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;

import java.util.Arrays;
import java.util.List;

/**
 * What a diagnostic of the open prompt depends on: the model (by identity), the prompt batch (ids, token types, mask and
 * an encoder-decoder's decoder ids), the interventions and any option of the view.
 */
public record PromptKey(int model, String batch, List<String> interventions, Object option) {

    /** The key of the prompt pass of {@code stepper} on {@code loaded}, with a view's {@code option} (or null). */
    public static PromptKey of(LoadedModel loaded, Stepper stepper, Object option) {
        Batch b = stepper.groups().get(0).inputs();
        Interventions iv = stepper.interventions();
        String batch = Arrays.deepToString(b.ids()) + Arrays.deepToString(b.attentionMask())
                + Arrays.deepToString(b.tokenTypes()) + (b.decoderIds() == null ? "" : Arrays.deepToString(b.decoderIds()));
        return new PromptKey(System.identityHashCode(loaded), batch, iv == null ? List.of() : iv.specs(), option);
    }
}
