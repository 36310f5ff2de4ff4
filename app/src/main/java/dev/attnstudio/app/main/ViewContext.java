package dev.attnstudio.app.main;

import dev.attnstudio.app.tokens.TokenChip;

import java.util.List;

/**
 * What a view's data factory may need besides the stepper: the prompt's tokens (one list per batch row, padding
 * included) and the selection the views share, as it was when the engine task was queued.
 *
 * @param model    the open model
 * @param tokens   [B][T] the tokens of the pass, for axis labels
 * @param layer    selected block, 0-based
 * @param head     selected head, 0-based
 * @param batchRow selected row of the batch, 0-based
 */
public record ViewContext(ModelInfo model, List<List<TokenChip>> tokens, int layer, int head, int batchRow) {

    public ViewContext {
        tokens = List.copyOf(tokens);
    }

    /** The token labels of the selected batch row. */
    public List<String> labels() {
        if (tokens.isEmpty()) {
            return List.of();
        }
        return tokens.get(Math.min(batchRow, tokens.size() - 1)).stream().map(TokenChip::text).toList();
    }
}
