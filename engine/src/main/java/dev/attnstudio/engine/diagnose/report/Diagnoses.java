package dev.attnstudio.engine.diagnose.report;

import dev.attnstudio.engine.diagnose.heads.ReportCard;
import dev.attnstudio.engine.diagnose.heads.ReportCards;
import dev.attnstudio.engine.diagnose.lens.LogitLens;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;
import dev.attnstudio.engine.diagnose.lint.MaskLinter;
import dev.attnstudio.engine.diagnose.rollout.AttentionFlow;
import dev.attnstudio.engine.diagnose.rollout.AttentionRollout;
import dev.attnstudio.engine.diagnose.rollout.LayerPatterns;
import dev.attnstudio.engine.diagnose.rollout.Rollout;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Runs every diagnostic on a model and a prompt set and gathers them into a {@link Diagnosis}: the head report card
 * over all prompts, the mask linter on the first prompt batch (under the run's interventions), rollout and flow of one
 * output position of its first row (the last token of a decoder, the first of an encoder), and the logit lens.
 */
public final class Diagnoses {

    /**
     * @param card          what the report card measures
     * @param interventions the run the linter checks (the model as it is: {@link Interventions#NONE})
     * @param lint          the linter's options
     * @param lensTopK      tokens listed per lens stage
     */
    public record Options(ReportCards.Options card, Interventions interventions, MaskLinter.Options lint, int lensTopK) {
        public static final Options DEFAULT = new Options(ReportCards.Options.DEFAULT, Interventions.NONE,
                MaskLinter.Options.DEFAULT, 5);

        public Options withCard(ReportCards.Options c) {
            return new Options(c, interventions, lint, lensTopK);
        }

        public Options withInterventions(Interventions i) {
            return new Options(card, i, lint, lensTopK);
        }
    }

    private Diagnoses() {
    }

    /**
     * @param name   the model's name, for the report
     * @param decode token text for the lens, or null
     */
    public static Diagnosis of(String name, TransformerModel model, LongFunction<String> decode, List<Batch> prompts,
                               Options o) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("give at least one prompt");
        }
        Capabilities c = model.capabilities();
        ReportCard card = ReportCards.of(model, prompts, o.card());
        Batch first = prompts.get(0);
        List<MaskFinding> findings = MaskLinter.lint(model, first, o.interventions(), o.lint());
        RolloutSummary rollout;
        LensSummary lens = null;
        try (Stepper s = new Stepper(model, Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
            s.reset(first);
            s.runToEnd();
            rollout = rollout(c, s, model);
            if (c.generates()) {
                lens = lens(LogitLens.of(model, s, 0, o.lensTopK(), decode));
            }
        }
        List<List<Long>> ids = new ArrayList<>();
        for (Batch b : prompts) {
            long[][] rows = b.ids();
            for (int r = 0; r < rows.length; r++) {
                List<Long> row = new ArrayList<>();
                for (int t = 0; t < rows[r].length; t++) {
                    if (b.attentionMask()[r][t] != 0) {
                        row.add(rows[r][t]);
                    }
                }
                ids.add(row);
            }
        }
        return new Diagnosis(Diagnosis.SCHEMA_VERSION, name, c.family(), ids, o.interventions().specs(),
                Diagnosis.worst(findings, card), findings, card, rollout, lens);
    }

    private static RolloutSummary rollout(Capabilities c, Stepper s, TransformerModel model) {
        LayerPatterns p = LayerPatterns.of(c, s, 0);
        Rollout r = AttentionRollout.of(p, model.manager(), false);
        int query = p.causal() ? p.tokens() - 1 : 0;
        List<Double> flow = null;
        String note = null;
        if (p.tokens() <= AttentionFlow.MAX_TOKENS) {
            flow = boxed(AttentionFlow.of(p, query).normalized());
        } else {
            note = "not computed: " + p.tokens() + " tokens > " + AttentionFlow.MAX_TOKENS;
        }
        List<Double> normalized = null;
        if (r.fieldNormalized() != null) {
            normalized = new ArrayList<>();
            for (int j = 0; j < p.tokens(); j++) {
                normalized.add((double) r.fieldNormalized()[query * p.tokens() + j]);
            }
        }
        List<Double> row = new ArrayList<>();
        for (float v : r.row(query)) {
            row.add((double) v);
        }
        return new RolloutSummary(query, p.tokens(), p.layers(), row, normalized, flow, note, r.caveat());
    }

    private static LensSummary lens(List<LogitLens.Stage> stages) {
        int position = stages.get(0).kl().length - 1;
        List<LensSummary.Stage> out = new ArrayList<>();
        for (LogitLens.Stage s : stages) {
            List<LensSummary.Token> top = new ArrayList<>();
            for (int i = 0; i < s.topIds()[position].length; i++) {
                top.add(new LensSummary.Token(s.topIds()[position][i], s.topText() == null ? null : s.topText()[position][i],
                        s.topProbs()[position][i]));
            }
            out.add(new LensSummary.Stage(s.hook(), s.layer(), s.stage(), s.meanKl(), s.top1Agrees(), top));
        }
        return new LensSummary(position, out);
    }

    private static List<Double> boxed(double[] a) {
        List<Double> out = new ArrayList<>(a.length);
        for (double v : a) {
            out.add(v);
        }
        return out;
    }
}
