package dev.attnstudio.app.views;

import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.load.LoadedModel;

import java.util.List;

/**
 * What a view's data factory may need besides the stepper: the open model, the tokens (one list per batch row,
 * padding included, generated tokens appended; an encoder-decoder's decoder tokens apart) and the selection the
 * views share, as it was when the engine task was queued.
 *
 * @param loaded        the open model (engine thread only: its tokenizer and config)
 * @param tokens        [B][T] the tokens of the pass, for axis labels; an encoder-decoder's source
 * @param decoderTokens an encoder-decoder's decoder sequence (start token and generated ones), else empty
 * @param layer         selected block, 0-based
 * @param head          selected head, 0-based
 * @param batchRow      selected row of the batch, 0-based
 * @param source        which attention the views show: {@link AttentionSource#SELF}, or one of an
 *                      encoder-decoder's three
 * @param wholeSequence whether attention views show the whole sequence, stitched from every pass up to the one
 *                      under the cursor, rather than that pass alone (see the engine's {@code WholeSequence})
 */
public record ViewContext(LoadedModel loaded, List<List<TokenChip>> tokens, List<TokenChip> decoderTokens,
                          int layer, int head, int batchRow, AttentionSource source, boolean wholeSequence) {

    public ViewContext {
        tokens = List.copyOf(tokens);
        decoderTokens = List.copyOf(decoderTokens);
    }

    /** The token labels of the selected batch row (an encoder-decoder: of the source). */
    public List<String> labels() {
        if (tokens.isEmpty()) {
            return List.of();
        }
        return texts(tokens.get(Math.min(batchRow, tokens.size() - 1)));
    }

    /** Labels of the query positions of {@link #source}: the decoder's tokens for decoder attention. */
    public List<String> queryLabels() {
        return source.stack().startsWith("decoder") ? texts(decoderTokens) : labels();
    }

    /** Labels of the key positions of {@link #source}: the source's tokens for cross-attention. */
    public List<String> keyLabels() {
        return source.stack().startsWith("decoder") && !source.cross() ? texts(decoderTokens) : labels();
    }

    /** Every batch row's token texts, for row labels of tensors. */
    public List<List<String>> rowLabels() {
        return tokens.stream().map(ViewContext::texts).toList();
    }

    private static List<String> texts(List<TokenChip> chips) {
        return chips.stream().map(TokenChip::text).toList();
    }
}
