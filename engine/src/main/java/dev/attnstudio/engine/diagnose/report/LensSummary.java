package dev.attnstudio.engine.diagnose.report;

import java.util.List;

/**
 * The logit lens in brief: per residual stage, its faithfulness and what it predicts at one position.
 *
 * @param position the position whose top tokens are listed (the last of the first row)
 * @param stages   in model order
 */
public record LensSummary(int position, List<Stage> stages) {

    /**
     * @param hook       the residual hook
     * @param layer      its block
     * @param stage      {@code pre}, {@code mid}, {@code mid_cross} or {@code post}
     * @param meanKl     mean KL(final || lens) over positions (nats)
     * @param top1Agrees share of positions whose lens top token is the model's
     * @param top        the lens' most likely tokens at {@code position}
     */
    public record Stage(String hook, int layer, String stage, double meanKl, double top1Agrees, List<Token> top) {
    }

    /** A token and its lens probability; text is null without a tokenizer. */
    public record Token(long id, String text, double probability) {
    }
}
