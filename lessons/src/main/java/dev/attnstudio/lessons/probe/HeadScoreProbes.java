package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.diagnose.AllowedCells;
import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.diagnose.PassView;
import dev.attnstudio.engine.diagnose.SpecialTokens;
import dev.attnstudio.engine.diagnose.heads.InductionProbe;
import dev.attnstudio.engine.diagnose.heads.PatternStats;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.Stepper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-head scores from the engine's diagnostics: previous-token and sink scores on the page's own pass
 * ({@link PatternStats}), duplicate-token and induction scores on the engine's repeated random sequence
 * ({@link InductionProbe}), and from them the top head of a layer and the heads as options.
 */
final class HeadScoreProbes {

    /** The scores {@code top-head} ranks by. */
    static final List<String> SCORES = List.of("previous-token", "induction", "duplicate", "sink");

    private HeadScoreProbes() {
    }

    static List<Probe> all() {
        return List.of(score("previous-token-score", "previous-token",
                        "mean weight of each query on the key just before it, over the page's pass (Olsson et al.)"),
                score("sink-score", "sink", "mean weight of the queries on the first position (an attention sink)"),
                score("induction-score", "induction", "share of attention on the token after an earlier copy of the"
                        + " query's token, on the engine's repeated random sequence (not the page's prompt)"),
                score("duplicate-score", "duplicate", "share of attention on earlier copies of the query's own token,"
                        + " on the engine's repeated random sequence"),
                topHead(), heads());
    }

    private static Probe score(String name, String score, String help) {
        List<Param> params = new ArrayList<>(List.of(AttentionProbes.LAYER, AttentionProbes.HEAD, AttentionProbes.STACK));
        if (!isProbeScore(score)) {
            params.add(AttentionProbes.PASS);
        }
        return Probe.of(name, help, params, call -> AnswerKind.NUMBER, (call, ctx) -> {
            AttentionLayer layer = Sites.layer(ctx.capabilities(), call.string("stack", null), call.integer("layer"), ctx.name());
            int head = call.integer("head");
            Sites.checkHead(ctx.capabilities(), head, ctx.name());
            double[] all = scores(ctx, layer, score, call.optionalInteger("pass"));
            return new Probe.Evaluation(new Answer.Number(all[head]), "The " + score + " score of " + layer.name()
                    + " head " + head + " is " + Numbers.format(all[head], 3) + (isProbeScore(score)
                    ? " (on " + ctx.name() + "'s repeated random sequence)" : "") + ".");
        });
    }

    private static boolean isProbeScore(String score) {
        return score.equals("induction") || score.equals("duplicate");
    }

    /** One score of every head of a sub-layer. */
    static double[] scores(EngineContext ctx, AttentionLayer layer, String score, Integer pass) {
        int heads = ctx.capabilities().heads();
        double[] out = new double[heads];
        if (isProbeScore(score)) {
            Map<AttentionLayer, InductionProbe.Scores[]> measured = InductionProbe.forModel(ctx.model().model())
                    .measure(ctx.model().model());
            InductionProbe.Scores[] s = measured.get(layer);
            for (int h = 0; h < heads; h++) {
                out[h] = score.equals("induction") ? s[h].induction() : s[h].duplicate();
            }
            return out;
        }
        PatternStats stats = patternStats(ctx, layer, pass);
        for (int h = 0; h < heads; h++) {
            out[h] = score.equals("sink") ? stats.sinkAlpha(h).getOrDefault(PatternStats.FIRST, Double.NaN)
                    : stats.previousToken(h);
        }
        return out;
    }

    private static PatternStats patternStats(EngineContext ctx, AttentionLayer layer, Integer pass) {
        Stepper.Group group = ctx.group(pass);
        PassView view = PassView.of(ctx.stepper()).stream().filter(v -> v.group() == group).findFirst()
                .orElseThrow(() -> new ProbeException(pass == null ? null : "pass", "the pass is not complete: head"
                        + " scores read a whole pass, so add {\"do\": \"run-to-end\"} to the page's actions"));
        PatternStats stats = new PatternStats(layer, ctx.capabilities().heads());
        long[][] keyIds = new long[view.batch()][];
        for (int r = 0; r < keyIds.length; r++) {
            keyIds[r] = view.keyIds(layer, r);
        }
        stats.add(view.pattern(layer), AllowedCells.of(layer, view.intended(layer)), keyIds, SpecialTokens.NONE);
        return stats;
    }

    private static Probe topHead() {
        return Probe.of("top-head", "the head (as an option id L.H) with the highest score of a kind, in one layer or"
                        + " in all",
                List.of(Param.choice("score", true, "previous-token, induction, duplicate or sink", SCORES),
                        Param.optional("layer", ParamType.LAYER, "one layer (default: every layer)"),
                        AttentionProbes.STACK, AttentionProbes.PASS),
                call -> AnswerKind.CHOICE,
                (call, ctx) -> {
                    Capabilities c = ctx.capabilities();
                    String stack = call.string("stack", null);
                    String score = call.string("score", "previous-token");
                    Integer only = call.optionalInteger("layer");
                    int layers = Sites.site(c, stack, ctx.name()).stack().layers();
                    String best = null;
                    double bestValue = Double.NEGATIVE_INFINITY;
                    double second = Double.NEGATIVE_INFINITY;
                    for (int l = only == null ? 0 : only; l < (only == null ? layers : only + 1); l++) {
                        double[] s = scores(ctx, Sites.layer(c, stack, l, ctx.name()), score, call.optionalInteger("pass"));
                        for (int h = 0; h < s.length; h++) {
                            if (s[h] > bestValue) {
                                second = bestValue;
                                bestValue = s[h];
                                best = l + "." + h;
                            } else if (s[h] > second) {
                                second = s[h];
                            }
                        }
                    }
                    if (best == null) {
                        throw new ProbeException("score", "no head has a " + score + " score here");
                    }
                    return new Probe.Evaluation(new Answer.Choice(best), "Head " + best + " has the highest " + score
                            + " score: " + Numbers.format(bestValue, 3) + " (the next best: " + Numbers.format(second, 3)
                            + ").");
                });
    }

    private static Probe heads() {
        return Probe.of("heads", "every head of one layer (or of all) as options, ids L.H",
                List.of(Param.optional("layer", ParamType.LAYER, "one layer (default: every layer)"), AttentionProbes.STACK),
                call -> AnswerKind.OPTIONS,
                (call, ctx) -> {
                    List<Answer.Option> options = Sites.headIds(ctx.capabilities(), call.string("stack", null),
                            call.optionalInteger("layer"), ctx.name()).stream()
                            .map(id -> new Answer.Option(id, "head " + id)).toList();
                    return new Probe.Evaluation(new Answer.Options(options), options.size() + " heads");
                });
    }
}
