package dev.attnstudio.app.main;

import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewFeeds;

import java.util.List;

/**
 * Everything one engine task reports back: plain data, safe to hand across threads, applied on the UI thread by
 * {@link MainViewModel} in one go.
 *
 * @param tokens        the pass's tokens per batch row, generated tokens appended (an encoder-decoder: its source)
 * @param decoderTokens an encoder-decoder's decoder sequence, else empty
 * @param group         the pass under the cursor (0 = the prompt's) and how many passes there are
 * @param layerAt       the block the cursor is in, or -1 (also when the selection should not follow the cursor)
 * @param source        the attention the views were built for (an encoder-decoder's follows the cursor between its
 *                      stacks until the user picks one), or null to keep the selection
 * @param views         the data of the views' feeds
 * @param status        the message to show, or null to keep the current one
 */
record PassSnapshot(List<List<TokenChip>> tokens, List<TokenChip> decoderTokens, List<StepRow> steps, int group,
                    int groups, int cursor, int executed, StepDetails current, int layerAt,
                    AttentionSource source, ViewFeeds.Results views, Status status) {

    /** No pass: the tokens (if any), no steps, no view data. */
    static PassSnapshot empty(List<List<TokenChip>> tokens, Status status) {
        return new PassSnapshot(tokens, List.of(), List.of(), 0, 0, -1, 0, null, -1, null, ViewFeeds.Results.clearAll(),
                status);
    }
}
