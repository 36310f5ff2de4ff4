package dev.attnstudio.app.main;

import dev.attnstudio.engine.model.Capabilities;

/**
 * What the prompt editor may hold for one model, read from its capabilities: a batch of prompts (one per line, padded
 * on the right), a sentence B, an encoder-decoder's decoder ids. Whatever a model does not take is off, empty and
 * hidden while it is open, and is ignored when the prompt is tokenized for it.
 *
 * @param batches    a batch of prompts, padded on the right: models that read padded batches on a single stack
 *                   (decoders and encoders; an encoder-decoder's prompt is one source and its decoder one sequence)
 * @param pairs      a sentence B read through token types (BERT)
 * @param decoderIds the decoder's first tokens as ids (encoder-decoders)
 */
public record PromptRules(boolean batches, boolean pairs, boolean decoderIds) {

    /** Nothing but the prompt text (no model open). */
    public static final PromptRules TEXT_ONLY = new PromptRules(false, false, false);

    static PromptRules of(Capabilities can) {
        return new PromptRules(can.paddedBatches() && !can.readsSource(), can.sentencePairs(), can.readsSource());
    }

    /**
     * The input a newly opened model starts from: its suggested prompt (else the current text, the first of its
     * lines when it was a batch), batch mode off, no sentence B, no decoder ids: the per-model settings of the model
     * before never carry over.
     *
     * @param suggested the opened sample's prompt, or null for a model without one
     */
    static PromptInput fresh(PromptInput current, String suggested) {
        String text = suggested != null ? suggested
                : current.batch() ? current.text().lines().filter(l -> !l.isBlank()).findFirst().orElse("") : current.text();
        return new PromptInput(text, "", false, "");
    }

    /** {@code input} as this model reads it: what it does not take is dropped. */
    PromptInput apply(PromptInput input) {
        return new PromptInput(input.text(), pairs ? input.pair() : "", batches && input.batch(),
                decoderIds ? input.decoder() : "");
    }
}
