package dev.attnstudio.lessons.probe;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A question the runner can ask the live trace: "which key does query 7 of head 1.0 attend to most?", "what shape is
 * this hook?", "which mask bug is on?". Lessons name probes instead of writing answers; the catalogue
 * ({@link ProbeCatalogue}) lists them all with their parameters.
 */
public interface Probe {

    /** What a probe found, with a sentence or two that explains it (the exercise's worked solution). */
    record Evaluation(Answer answer, String explanation) {
    }

    /** The name lessons use, e.g. {@code argmax-key}. */
    String name();

    /** One line on what it measures, for authors. */
    String help();

    List<Param> params();

    /** What it answers with these parameters (some answer a number with a key given, a tensor without). */
    AnswerKind kind(ProbeCall call);

    /**
     * Evaluates on the live trace. Runs DJL reads: call it on the engine thread.
     *
     * @throws ProbeException when it cannot be evaluated here, naming the parameter at fault
     */
    Evaluation evaluate(ProbeCall call, EngineContext ctx);

    /** A probe from its parts. */
    static Probe of(String name, String help, List<Param> params, Function<ProbeCall, AnswerKind> kind,
                    BiFunction<ProbeCall, EngineContext, Evaluation> evaluate) {
        return new Defined(name, help, params, kind, evaluate);
    }

    /** A probe from its parts. */
    record Defined(String name, String help, List<Param> params, Function<ProbeCall, AnswerKind> kindOf,
                   BiFunction<ProbeCall, EngineContext, Evaluation> evaluator) implements Probe {

        public Defined {
            params = List.copyOf(params);
        }

        @Override
        public AnswerKind kind(ProbeCall call) {
            return kindOf.apply(call);
        }

        @Override
        public Evaluation evaluate(ProbeCall call, EngineContext ctx) {
            return evaluator.apply(call, ctx);
        }
    }
}
