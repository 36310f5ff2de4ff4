package dev.attnstudio.engine.diagnose.report;

import java.util.List;

/**
 * Rollout and flow of one output position of the first prompt row.
 *
 * @param query          the output position (index among the row's real tokens)
 * @param tokens         the row's real tokens (n)
 * @param layers         layers rolled out (the output stack's self-attention)
 * @param rollout        [n] the model's rollout row: how much each input token reaches the query
 * @param fieldNormalized [n] the receptive-field-normalized row (causal stacks), else null
 * @param flow           [n] attention flow into the query, normalized; null when not computed
 * @param flowNote       why flow is missing, or null
 * @param caveat         the causal caveat, or null for bidirectional stacks
 */
public record RolloutSummary(int query, int tokens, int layers, List<Double> rollout, List<Double> fieldNormalized,
                             List<Double> flow, String flowNote, String caveat) {
}
