package dev.attnstudio.engine.diagnose.report;

import dev.attnstudio.engine.diagnose.Severity;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import dev.attnstudio.engine.diagnose.heads.ReportCard;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;

import java.util.List;

/**
 * Everything the diagnostics found about one model on one set of prompts, as written to JSON
 * ({@link DiagnosisJson}, validated against {@code diagnosis.schema.json}).
 *
 * @param schemaVersion the report format's version
 * @param model         the model's name
 * @param family        its family ({@code gpt2}, {@code bert}, {@code llama}, {@code t5})
 * @param prompts       the token ids diagnosed, one list per prompt row (padding left out)
 * @param interventions the interventions the linted run had ({@code mask-bug:off-by-one}, ...); empty for the model as is
 * @param severity      the worst severity of any finding or head flag (INFO when there is nothing)
 * @param findings      the mask linter's findings (every one error-level)
 * @param card          the head report card
 * @param rollout       rollout and flow of one output position
 * @param lens          the logit lens per residual stage; null for encoders
 */
public record Diagnosis(int schemaVersion, String model, String family, List<List<Long>> prompts,
                        List<String> interventions, Severity severity, List<MaskFinding> findings, ReportCard card,
                        RolloutSummary rollout, LensSummary lens) {

    /** The version of the report's JSON format. */
    public static final int SCHEMA_VERSION = 1;

    public Diagnosis {
        prompts = List.copyOf(prompts);
        interventions = List.copyOf(interventions);
        findings = List.copyOf(findings);
    }

    /** The worst severity among mask findings and head flags. */
    static Severity worst(List<MaskFinding> findings, ReportCard card) {
        Severity s = Severity.INFO;
        for (MaskFinding f : findings) {
            s = max(s, f.severity());
        }
        for (HeadCard h : card.heads()) {
            for (HeadFlag f : h.flags()) {
                s = max(s, f.severity());
            }
        }
        return s;
    }

    private static Severity max(Severity a, Severity b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
