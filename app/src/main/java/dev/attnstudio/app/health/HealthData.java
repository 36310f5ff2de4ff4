package dev.attnstudio.app.health;

import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.Memo;
import dev.attnstudio.app.diagnostics.PromptKey;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.engine.diagnose.Severity;
import dev.attnstudio.engine.diagnose.Work;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import dev.attnstudio.engine.diagnose.heads.ReportCard;
import dev.attnstudio.engine.diagnose.heads.ReportCards;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The head report card of the open prompt, laid out as the Health view's grid: one row per attention sub-layer
 * (a single stack's layers; an encoder-decoder's encoder, decoder and cross-attention layers), one column per head.
 *
 * @param card   the engine's report card over the prompt batch
 * @param rows   each row's site and layer, in the card's order
 * @param heads  heads per layer (columns)
 * @param millis how long the card took
 */
public record HealthData(ReportCard card, List<Row> rows, int heads, long millis) {

    /** One row of the grid: an attention sub-layer. */
    public record Row(String site, int layer) {
        /** {@code L1}, or {@code cross L1} for a site other than a single stack's self-attention. */
        public String label() {
            return (site.equals("self") ? "" : site + " ") + "L" + layer;
        }
    }

    public HealthData {
        rows = List.copyOf(rows);
    }

    /**
     * The card of the prompt pass of {@code stepper} (its whole batch, under no intervention), computed under
     * {@code work} (progress, stop); null while the view waits after a stop. Engine thread only.
     */
    public static HealthData from(Stepper stepper, ViewContext c, Memo<HealthData> memo, LongWork work) {
        if (work.isStopped()) {
            return null;
        }
        return memo.get(PromptKey.of(c.loaded(), stepper, null), () -> work.run("report card",
                w -> compute(c.loaded(), stepper.groups().get(0).inputs(), w)));
    }

    /** Computes the card of {@code batch} with the engine's default options. */
    public static HealthData compute(LoadedModel loaded, Batch batch) {
        return compute(loaded, batch, Work.NONE);
    }

    /** Computes the card of {@code batch}, telling {@code work} its progress (which may stop it). */
    public static HealthData compute(LoadedModel loaded, Batch batch, Work work) {
        long start = System.nanoTime();
        ReportCard card = ReportCards.of(loaded.model(), List.of(batch), ReportCards.Options.DEFAULT.withWork(work));
        List<Row> rows = new ArrayList<>();
        int heads = 0;
        for (HeadCard h : card.heads()) {
            Row r = new Row(h.site(), h.layer());
            if (!rows.contains(r)) {
                rows.add(r);
            }
            heads = Math.max(heads, h.head() + 1);
        }
        return new HealthData(card, rows, heads, (System.nanoTime() - start) / 1_000_000);
    }

    /** The card of the head in grid cell (row, col). */
    public HeadCard head(int row, int col) {
        Row r = rows.get(row);
        return card.head(r.site(), r.layer(), col);
    }

    /** The flag that decides a head's colour: the most severe, then the first in {@link HeadFlag.Kind}'s order; or null. */
    public static HeadFlag worst(HeadCard h) {
        return h.flags().stream().min(Comparator.<HeadFlag>comparingInt(f -> severityRank(f.severity()))
                .thenComparingInt(f -> f.kind().ordinal())).orElse(null);
    }

    private static int severityRank(Severity s) {
        return switch (s) {
            case ERROR -> 0;
            case WARNING -> 1;
            default -> 2;
        };
    }

    /** Heads with a flag of each kind, e.g. "2 collapsed, 1 sink"; "no head is flagged" when none. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        for (HeadFlag.Kind k : HeadFlag.Kind.values()) {
            long n = card.heads().stream().filter(h -> h.flagged(k)).count();
            if (n > 0) {
                parts.add(n + " " + Flags.name(k));
            }
        }
        String flagged = parts.isEmpty() ? "no head is flagged" : String.join(", ", parts);
        return String.format(Locale.ROOT, "%d heads: %s. Measured on %d query rows of the prompt; importance: %s.",
                card.heads().size(), flagged, card.queryRows(), card.importance());
    }
}
