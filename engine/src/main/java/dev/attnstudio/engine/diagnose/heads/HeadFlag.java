package dev.attnstudio.engine.diagnose.heads;

import dev.attnstudio.engine.diagnose.Severity;

import java.util.Map;

/**
 * Something a head's numbers say about it, with the numbers that triggered it and the threshold they crossed.
 *
 * @param kind     what was found
 * @param severity how much it matters ({@link Kind#severity})
 * @param message  one line for people, e.g. "duplicate of L1 H2: JS 0.004 nats < 0.01"
 * @param evidence the numbers that triggered the flag, by name, with the threshold under {@code threshold}
 * @param twin     for {@link Kind#DUPLICATE}: the other head ({@code site L.H}); else null
 */
public record HeadFlag(Kind kind, Severity severity, String message, Map<String, Double> evidence, String twin) {

    /** The flags a head can get. */
    public enum Kind {
        /** Attends almost uniformly over what it may see: it picks out nothing. */
        NEAR_UNIFORM(Severity.WARNING),
        /**
         * Puts (almost) all its weight on one key in every row. Alone this is often a positional head doing its job
         * (attend to yourself, the next or the previous token).
         */
        ONE_HOT(Severity.WARNING),
        /** One-hot, as most heads of the model are: entropy collapse, the training pathology. */
        COLLAPSED(Severity.ERROR),
        /** Parks a large share of its attention on the first token or a special token. */
        SINK(Severity.INFO),
        /** Writes (almost) nothing into the residual stream. */
        DEAD(Severity.WARNING),
        /** Attends like another head of its layer. */
        DUPLICATE(Severity.WARNING),
        /** Removing it hardly changes the loss. */
        UNIMPORTANT(Severity.INFO);

        public final Severity severity;

        Kind(Severity severity) {
            this.severity = severity;
        }
    }

    public HeadFlag {
        evidence = Map.copyOf(evidence);
    }

    static HeadFlag of(Kind kind, String message, Map<String, Double> evidence) {
        return new HeadFlag(kind, kind.severity, message, evidence, null);
    }
}
