package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.metrics.TokenLoss;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a head does, measured by taking it away: the prompt's next-token loss with heads ablated (zero or mean
 * ablation, the engine's {@code ablate:L.H} and {@code mean-ablate:L.H}), how far the model's output moves when a head
 * is ablated, and from either the head that matters most. Every measurement reruns the page's prompt under the page's
 * interventions plus the ablations, in a stepper of its own, so the page's trace is left as it is.
 */
final class AblationProbes {

    private static final Pattern HEAD_ID = Pattern.compile("\\d+\\.\\d+");
    /** What {@code top-ablation} ranks heads by. */
    static final List<String> MEASURES = List.of("loss", "output");

    static final Param ABLATE = Param.names("ablate", false, "heads to ablate, as ids L.H (\"1.0\"); none: the page's run",
            List.of());
    static final Param MEAN = Param.optional("mean", ParamType.BOOL,
            "mean ablation (the head's mean output over the prompt) instead of zero ablation (default false)");
    static final Param FROM = Param.optional("from", ParamType.INT,
            "the first predicted token that counts, by position (default 1: every next token of the prompt)");
    static final Param TO = Param.optional("to", ParamType.INT,
            "the last predicted token that counts, by position (default: the prompt's last)");
    static final Param OUTPUT_HOOK = Param.optional("hook", ParamType.HOOK,
            "the hook compared (default: the output stack's last hook_resid_post)");

    private AblationProbes() {
    }

    static List<Probe> all() {
        return List.of(promptLoss(), lossChange(), outputChange(), topAblation());
    }

    private static Probe promptLoss() {
        return Probe.of("prompt-loss", "the mean next-token loss (nats) of the page's prompt, over the tokens from"
                        + " position from on, under the page's interventions plus the ablated heads",
                List.of(FROM, TO, ABLATE, MEAN),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    int from = from(call, ctx);
                    int to = to(call, ctx, from);
                    List<String> heads = heads(call, ctx);
                    boolean mean = call.bool("mean", false);
                    double loss = loss(ctx, heads, mean, from, to);
                    return new Probe.Evaluation(new Answer.Number(loss), "The mean of -log p(token) over the tokens at"
                            + " positions " + from + " to " + to + (heads.isEmpty() ? "" : " with "
                            + ablated(heads, mean)) + " is " + Numbers.format(loss, 3) + " nats.");
                });
    }

    private static Probe lossChange() {
        return Probe.of("ablation-loss-change", "how much ablating heads raises the prompt's mean next-token loss over"
                        + " the tokens from position from on: loss(ablated) - loss(page's run), in nats",
                List.of(Param.names("ablate", true, "heads to ablate, as ids L.H (\"1.0\")", List.of()), FROM, TO, MEAN),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    int from = from(call, ctx);
                    int to = to(call, ctx, from);
                    List<String> heads = heads(call, ctx);
                    if (heads.isEmpty()) {
                        throw new ProbeException("ablate", "name at least one head to ablate");
                    }
                    boolean mean = call.bool("mean", false);
                    double base = loss(ctx, List.of(), mean, from, to);
                    double ablatedLoss = loss(ctx, heads, mean, from, to);
                    double change = ablatedLoss - base;
                    return new Probe.Evaluation(new Answer.Number(change), "Over the tokens at positions " + from + " to "
                            + to + " the loss is " + Numbers.format(base, 3) + " nats as the page runs, "
                            + Numbers.format(ablatedLoss, 3) + " with " + ablated(heads, mean) + ": a change of "
                            + Numbers.format(change, 3) + ".");
                });
    }

    private static Probe outputChange() {
        return Probe.of("ablation-output-change", "how far ablating heads moves a hook (default: the model's last"
                        + " residual stream): the mean over real positions of norm(h(ablated) - h) / norm(h)",
                List.of(Param.names("ablate", true, "heads to ablate, as ids L.H (\"2.7\")", List.of()), MEAN,
                        OUTPUT_HOOK, AttentionProbes.ROW),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    List<String> heads = heads(call, ctx);
                    if (heads.isEmpty()) {
                        throw new ProbeException("ablate", "name at least one head to ablate");
                    }
                    boolean mean = call.bool("mean", false);
                    String hook = outputHook(call, ctx);
                    int row = call.integer("row", 0);
                    double change = outputChange(ctx, heads, mean, hook, row);
                    return new Probe.Evaluation(new Answer.Number(change), "With " + ablated(heads, mean) + ", "
                            + hook + " moves by " + Numbers.format(100 * change, 1) + "% of its length, on average over"
                            + " the real positions of row " + row + ".");
                });
    }

    private static Probe topAblation() {
        return Probe.of("top-ablation", "the head (as an option id L.H) whose ablation alone matters most: raises the"
                        + " loss from position from on the most (loss), or moves the last residual stream the most"
                        + " (output)",
                List.of(Param.choice("measure", false, "loss (default; models that predict tokens) or output",
                        MEASURES), Param.optional("layer", ParamType.LAYER, "one layer (default: every layer)"),
                        FROM, TO, MEAN),
                call -> AnswerKind.CHOICE,
                (call, ctx) -> {
                    String measure = call.string("measure", "loss");
                    boolean mean = call.bool("mean", false);
                    Capabilities c = ctx.capabilities();
                    if (c.readsSource()) {
                        throw new ProbeException(null, "top-ablation ranks the heads of single-stack models;"
                                + " ablate one head of " + ctx.name() + " at a time with ablation-loss-change");
                    }
                    Integer only = call.optionalInteger("layer");
                    int layers = Sites.site(c, null, ctx.name()).stack().layers();
                    boolean byLoss = measure.equals("loss");
                    int from = byLoss ? from(call, ctx) : 0;
                    int to = byLoss ? to(call, ctx, from) : 0;
                    double base = byLoss ? loss(ctx, List.of(), mean, from, to) : 0;
                    String hook = byLoss ? null : defaultOutput(ctx);
                    List<String> lines = new ArrayList<>();
                    String best = null;
                    double bestValue = Double.NEGATIVE_INFINITY;
                    double second = Double.NEGATIVE_INFINITY;
                    for (int l = only == null ? 0 : only; l < (only == null ? layers : only + 1); l++) {
                        for (int h = 0; h < c.heads(); h++) {
                            String id = l + "." + h;
                            double v = byLoss ? loss(ctx, List.of(id), mean, from, to) - base
                                    : outputChange(ctx, List.of(id), mean, hook, 0);
                            lines.add(id + ": " + (byLoss ? (v >= 0 ? "+" : "") + Numbers.format(v, 3) + " nats"
                                    : Numbers.format(100 * v, 1) + "%"));
                            if (v > bestValue) {
                                second = bestValue;
                                bestValue = v;
                                best = id;
                            } else if (v > second) {
                                second = v;
                            }
                        }
                    }
                    return new Probe.Evaluation(new Answer.Choice(best), "Ablating head " + best + " alone "
                            + (byLoss ? "raises the loss the most" : "moves the output the most") + " (" + String.join(", ",
                            lines) + ").");
                });
    }

    /** The first counted target position, checked against the prompt. */
    private static int from(ProbeCall call, EngineContext ctx) {
        int from = call.integer("from", 1);
        int t = targets(ctx);
        if (from < 1 || from >= t) {
            throw new ProbeException("from", "from must be a position from 1 to " + (t - 1) + ": the prompt has " + t
                    + " tokens and position 0 is never predicted");
        }
        return from;
    }

    /** The last counted target position, checked against the prompt and {@code from}. */
    private static int to(ProbeCall call, EngineContext ctx, int from) {
        int t = targets(ctx);
        int to = call.integer("to", t - 1);
        if (to < from || to >= t) {
            throw new ProbeException("to", "to must be a position from " + from + " (from) to " + (t - 1)
                    + " (the prompt's last)");
        }
        return to;
    }

    /** Positions of the sequence the loss predicts: the prompt's, or an encoder-decoder's decoder input. */
    private static int targets(EngineContext ctx) {
        Batch b = prompt(ctx);
        return b.decoderIds() != null ? b.decoderIds()[0].length : b.length();
    }

    private static Batch prompt(EngineContext ctx) {
        if (ctx.stepper().groups().isEmpty()) {
            throw new ProbeException(null, "the page has no prompt: give the lesson or the page a prompt");
        }
        return ctx.stepper().groups().get(0).inputs();
    }

    /** The head ids, checked against the model. */
    private static List<String> heads(ProbeCall call, EngineContext ctx) {
        List<String> heads = call.names("ablate", List.of());
        Capabilities c = ctx.capabilities();
        for (String id : heads) {
            if (!HEAD_ID.matcher(id).matches()) {
                throw new ProbeException("ablate", "\"" + id + "\" is not a head id: write layer.head, e.g. \"1.0\"");
            }
            String[] parts = id.split("\\.");
            Sites.layer(c, null, Integer.parseInt(parts[0]), ctx.name());
            int head = Integer.parseInt(parts[1]);
            try {
                Sites.checkHead(c, head, ctx.name());
            } catch (ProbeException e) {
                throw new ProbeException("ablate", e.getMessage());
            }
        }
        return heads;
    }

    private static String ablated(List<String> heads, boolean mean) {
        return "head" + (heads.size() == 1 ? " " : "s ") + String.join(", ", heads) + (mean ? " mean-" : " ") + "ablated";
    }

    /** The page's interventions plus the ablations. */
    private static Interventions interventions(EngineContext ctx, List<String> heads, boolean mean) {
        Interventions all = ctx.stepper().interventions();
        for (String id : heads) {
            all = all.with(Interventions.parse((mean ? "mean-ablate:" : "ablate:") + id));
        }
        return all;
    }

    private static double loss(EngineContext ctx, List<String> heads, boolean mean, int from, int to) {
        if (!ctx.capabilities().generates()) {
            throw new ProbeException(null, ctx.name() + " does not predict next tokens, so it has no loss; measure"
                    + " ablations by their output change (ablation-output-change)");
        }
        double total = 0;
        int counted = 0;
        try (Stepper s = new Stepper(ctx.model().model(),
                new Stepper.Options(Capture.OFF, interventions(ctx, heads, mean), false))) {
            s.reset(prompt(ctx));
            s.runToEnd();
            TokenLoss l = TokenLoss.of(s);
            for (int r = 0; r < l.perToken().length; r++) {
                for (int p = from - 1; p < to; p++) {
                    if (l.counted()[r][p]) {
                        total += l.perToken()[r][p];
                        counted++;
                    }
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ProbeException("ablate", e.getMessage(), e);
        }
        if (counted == 0) {
            throw new ProbeException("from", "no real token is predicted at positions " + from + " to " + to);
        }
        return total / counted;
    }

    private static String outputHook(ProbeCall call, EngineContext ctx) {
        String hook = call.string("hook", null);
        if (hook == null) {
            return defaultOutput(ctx);
        }
        Sites.checkHook(ctx.capabilities(), hook, ctx.name(), "hook");
        return hook;
    }

    /** The output stack's last residual stream. */
    private static String defaultOutput(EngineContext ctx) {
        Capabilities.Stack out = ctx.capabilities().outputStack();
        String name = HookName.Block.RESID_POST.at(out.layers() - 1);
        return out.id() == null ? name : out.id().prefix + "." + name;
    }

    /** Mean over the real positions of a row of |h' - h| / |h|, h' with the heads ablated. */
    private static double outputChange(EngineContext ctx, List<String> heads, boolean mean, String hook, int row) {
        Batch batch = prompt(ctx);
        TensorData clean = run(ctx, batch, interventions(ctx, List.of(), mean), hook);
        TensorData ablated = run(ctx, batch, interventions(ctx, heads, mean), hook);
        long[] s = clean.shape();
        if (s.length != 3) {
            throw new ProbeException("hook", hook + " is " + clean.shapeString() + ", not [B, T, d]");
        }
        if (row < 0 || row >= s[0]) {
            throw new ProbeException("row", "row " + row + " does not exist: the batch has " + s[0] + " row(s)");
        }
        long[] real = batch.decoderIds() != null && !hook.startsWith("encoder.") ? null : batch.attentionMask()[row];
        double sum = 0;
        int n = 0;
        for (int t = 0; t < s[1]; t++) {
            if (real != null && real[t] == 0) {
                continue;
            }
            float[] a = clean.row(row, t);
            float[] b = ablated.row(row, t);
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < a.length; i++) {
                diff += (b[i] - a[i]) * (double) (b[i] - a[i]);
                norm += a[i] * (double) a[i];
            }
            sum += Math.sqrt(diff) / Math.sqrt(norm);
            n++;
        }
        return sum / n;
    }

    private static TensorData run(EngineContext ctx, Batch batch, Interventions interventions, String hook) {
        try (Stepper s = new Stepper(ctx.model().model(), new Stepper.Options(Capture.COMPACT, interventions, false))) {
            s.reset(batch);
            s.runToEnd();
            if (s.group().trace().program().indexOf(hook) < 0) {
                throw new ProbeException("hook", "the pass of " + ctx.name() + " has no step " + hook);
            }
            return s.read(hook);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ProbeException("ablate", e.getMessage(), e);
        }
    }
}
