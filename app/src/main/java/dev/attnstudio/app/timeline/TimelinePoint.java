package dev.attnstudio.app.timeline;

import dev.attnstudio.engine.diagnose.heads.ReportCard;

/**
 * One checkpoint replayed: the engine's report card at that step (over the window's prompt, with its induction probe)
 * and every head's pattern on the prompt, [layer][head][T * T] for batch row 0.
 */
public record TimelinePoint(int step, ReportCard card, float[][][] patterns, int queries, int keys) {
}
