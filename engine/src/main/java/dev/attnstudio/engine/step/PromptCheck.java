package dev.attnstudio.engine.step;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.model.Capabilities;

/**
 * What a prompt must satisfy before a model reads it: ids and types in range, a length the model reads, padding it
 * takes.
 */
final class PromptCheck {

    private PromptCheck() {
    }

    /** @throws IllegalArgumentException saying what is out of range and what the model allows */
    static void check(Batch batch, ModelConfig config, Capabilities capabilities) {
        int vocab = config.vocabSize();
        int types = Math.max(1, config.typeVocabSize());
        for (int b = 0; b < batch.size(); b++) {
            for (int t = 0; t < batch.length(); t++) {
                long id = batch.ids()[b][t];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
                }
                long type = batch.tokenTypes()[b][t];
                if (type < 0 || type >= types) {
                    throw new IllegalArgumentException("token type " + type + " is outside 0.." + (types - 1));
                }
            }
        }
        if (batch.decoderIds() != null) {
            for (long[] row : batch.decoderIds()) {
                for (long id : row) {
                    if (id < 0 || id >= vocab) {
                        throw new IllegalArgumentException("decoder token id " + id + " is outside the vocabulary (0.."
                                + (vocab - 1) + ")");
                    }
                }
            }
        }
        int n = config.nPositions();
        if (batch.length() > n || batch.decoderLength() > n) {
            throw new IllegalArgumentException("the prompt has " + Math.max(batch.length(), batch.decoderLength())
                    + " tokens; this model reads at most " + n + " (n_positions)");
        }
        if (batch.padded() && capabilities.outputStack().causal() && !capabilities.readsSource() && !batch.paddedOnTheRight()) {
            throw new IllegalArgumentException("a decoder reads a padded batch only with the padding on the right "
                    + "(left padding would shift the positions of the shorter prompts)");
        }
    }
}
