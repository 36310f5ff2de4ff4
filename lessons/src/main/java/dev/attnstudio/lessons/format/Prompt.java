package dev.attnstudio.lessons.format;

import java.util.Arrays;
import java.util.List;

/**
 * What the model reads: one or more texts (tokenized by the model's tokenizer; several are a batch padded on the
 * right) or token ids, and for an encoder-decoder optionally the decoder's first ids.
 *
 * @param texts      texts, one per batch row; empty when ids are given
 * @param ids        token ids, one array per batch row; empty when texts are given
 * @param decoderIds an encoder-decoder's decoder ids (teacher-forced), or null for the start token
 * @param padId      the id padding positions get (masked out of attention, so any id in the vocabulary computes the same)
 * @param padLeft    whether a batch's shorter rows are padded at the start instead of the end
 */
public record Prompt(List<String> texts, List<long[]> ids, long[] decoderIds, long padId, boolean padLeft) {

    public Prompt {
        texts = List.copyOf(texts);
        ids = ids.stream().map(long[]::clone).toList();
        decoderIds = decoderIds == null ? null : decoderIds.clone();
    }

    /** Padded on the right. */
    public Prompt(List<String> texts, List<long[]> ids, long[] decoderIds, long padId) {
        this(texts, ids, decoderIds, padId, false);
    }

    public static Prompt text(String text) {
        return new Prompt(List.of(text), List.of(), null, 0);
    }

    public boolean isText() {
        return !texts.isEmpty();
    }

    /** Rows of the batch. */
    public int rows() {
        return isText() ? texts.size() : ids.size();
    }

    @Override
    public String toString() {
        return isText() ? texts.toString() : ids.stream().map(Arrays::toString).toList().toString();
    }
}
