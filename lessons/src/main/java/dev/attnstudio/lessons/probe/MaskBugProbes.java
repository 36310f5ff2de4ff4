package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.MaskBug;

import java.util.ArrayList;
import java.util.List;

/** Which of the six mask bugs is on, and the bugs as the options of a multiple choice. */
final class MaskBugProbes {

    /** The option id of "no bug". */
    static final String NONE = "none";

    private MaskBugProbes() {
    }

    static List<Probe> all() {
        return List.of(activeBug(), bugs());
    }

    private static Probe activeBug() {
        return Probe.of("active-mask-bug", "the mask bug injected in this run (its name), or none",
                List.of(), call -> AnswerKind.CHOICE,
                (call, ctx) -> {
                    List<MaskBug> on = new ArrayList<>();
                    for (Intervention i : ctx.stepper().interventions().applied()) {
                        if (i instanceof MaskBug b) {
                            on.add(b);
                        }
                    }
                    if (on.size() > 1) {
                        throw new ProbeException(null, "more than one mask bug is on (" + on.stream().map(MaskBug::bugName)
                                .toList() + "): a page asking which one should inject one");
                    }
                    if (on.isEmpty()) {
                        return new Probe.Evaluation(new Answer.Choice(NONE), "No mask bug is injected in this run.");
                    }
                    MaskBug bug = on.get(0);
                    return new Probe.Evaluation(new Answer.Choice(bug.bugName()), "The injected bug is " + bug.bugName()
                            + ": " + bug.description() + ".");
                });
    }

    private static Probe bugs() {
        return Probe.of("mask-bugs", "mask bugs as the options of a multiple choice (ids are the bug names)",
                List.of(Param.names("from", false, "only these bugs (default: all six)", MaskBug.names()),
                        Param.optional("none", ParamType.BOOL, "add the option \"none\" (default false)")),
                call -> AnswerKind.OPTIONS,
                (call, ctx) -> {
                    List<Answer.Option> options = new ArrayList<>();
                    for (String name : call.names("from", MaskBug.names())) {
                        options.add(new Answer.Option(name, name + ": " + MaskBug.named(name).description()));
                    }
                    if (call.bool("none", false)) {
                        options.add(new Answer.Option(NONE, "none: the mask is fine"));
                    }
                    return new Probe.Evaluation(new Answer.Options(options), options.size() + " options");
                });
    }
}
