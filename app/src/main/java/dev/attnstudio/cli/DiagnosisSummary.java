package dev.attnstudio.cli;

import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import dev.attnstudio.engine.diagnose.lint.MaskFinding;
import dev.attnstudio.engine.diagnose.report.Diagnosis;
import dev.attnstudio.engine.diagnose.report.LensSummary;
import dev.attnstudio.engine.diagnose.report.RolloutSummary;

import java.util.List;
import java.util.Locale;

/** The readable summary of a {@link Diagnosis}, as Markdown: printed by {@code diagnose} and written as diagnosis.md. */
final class DiagnosisSummary {

    private DiagnosisSummary() {
    }

    /** @param failing what {@code --fail-on} matched, one line each */
    static String markdown(Diagnosis d, List<String> failing) {
        StringBuilder md = new StringBuilder();
        md.append("# Diagnosis of ").append(d.model()).append(" (").append(d.family()).append(")\n\n");
        md.append(String.format(Locale.ROOT, "%d prompt row%s; %s; worst severity: **%s**.%n%n", d.prompts().size(),
                d.prompts().size() == 1 ? "" : "s", d.interventions().isEmpty() ? "the model as it is"
                        : "under " + String.join(", ", d.interventions()), d.severity()));
        md.append("## Mask linter\n\n");
        if (d.findings().isEmpty()) {
            md.append("No findings: attention stays where the model's own masks allow it.\n\n");
        } else {
            md.append("| kind | site | layer | head | row | query | key | magnitude | what | likely bug |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|\n");
            for (MaskFinding f : d.findings()) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %d | %s | %.4g | %s | %s |%n",
                        DiagnoseCommand.kebab(f.kind()), f.site(), f.layer(), f.head() < 0 ? "all" : f.head(), f.row(),
                        f.query(), f.key() < 0 ? "-" : f.key(), f.magnitude(), cell(f.message()), cell(f.hint())));
            }
            md.append('\n');
        }
        md.append("## Heads\n\n");
        md.append(String.format(Locale.ROOT, "%d heads over %d pass%s; importance: %s.%n%n", d.card().heads().size(),
                d.card().passes(), d.card().passes() == 1 ? "" : "es", d.card().importance()));
        List<HeadCard> flagged = d.card().heads().stream().filter(h -> !h.flags().isEmpty()).toList();
        if (flagged.isEmpty()) {
            md.append("No head is flagged.\n\n");
        } else {
            md.append("| head | flag | severity | evidence |\n|---|---|---|---|\n");
            for (HeadCard h : flagged) {
                for (HeadFlag f : h.flags()) {
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", h.name(), DiagnoseCommand.kebab(f.kind()),
                            f.severity(), cell(f.message())));
                }
            }
            md.append('\n');
        }
        RolloutSummary r = d.rollout();
        if (r != null) {
            md.append("## Rollout\n\n");
            md.append(String.format(Locale.ROOT, "Output position %d over %d tokens and %d layers: the input tokens that "
                    + "contribute most are %s.%n", r.query(), r.tokens(), r.layers(), top(r.rollout(), 3)));
            if (r.caveat() != null) {
                md.append('\n').append("> ").append(r.caveat()).append('\n');
            }
            md.append('\n');
        }
        LensSummary lens = d.lens();
        if (lens != null) {
            md.append("## Logit lens\n\n| stage | KL to the final (nats) | top-1 agrees |\n|---|---|---|\n");
            for (LensSummary.Stage s : lens.stages()) {
                md.append(String.format(Locale.ROOT, "| %s | %.3f | %.0f%% |%n", s.hook(), s.meanKl(), 100 * s.top1Agrees()));
            }
            md.append('\n');
        }
        if (!failing.isEmpty()) {
            md.append("## Asked to fail on\n\n");
            failing.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    /** The {@code n} largest entries as "position (weight)". */
    private static String top(List<Double> weights, int n) {
        return String.join(", ", java.util.stream.IntStream.range(0, weights.size()).boxed()
                .sorted((a, b) -> Double.compare(weights.get(b), weights.get(a))).limit(n)
                .map(i -> String.format(Locale.ROOT, "%d (%.2f)", i, weights.get(i))).toList());
    }

    /** Text safe inside a Markdown table cell. */
    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace('\n', ' ');
    }
}
