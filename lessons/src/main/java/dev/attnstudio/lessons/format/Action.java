package dev.attnstudio.lessons.format;

import dev.attnstudio.engine.sampling.SamplingConfig;

import java.util.List;

/**
 * One engine action a page runs when it opens, in order, after the prompt is set: {@code {"do": "run-to", "hook":
 * "blocks.0.attn.hook_pattern"}}. Switching an intervention or a mask bug starts the pass over (as in the app), so
 * those come before the actions that run it.
 */
public sealed interface Action {

    /** The action's name in a lesson file. */
    String name();

    /** Every action name, for messages and the README. */
    List<String> NAMES = List.of("reset", "step", "step-back", "step-over", "run-to", "run-to-end", "generate",
            "intervene", "mask-bug");

    /** Drop what was computed and start the prompt's pass again. */
    record Reset() implements Action {
        public String name() {
            return "reset";
        }
    }

    /** Compute (or move over) the next {@code count} steps. */
    record Step(int count) implements Action {
        public String name() {
            return "step";
        }
    }

    /** Move the cursor back {@code count} computed steps (nothing is recomputed). */
    record StepBack(int count) implements Action {
        public String name() {
            return "step-back";
        }
    }

    /** Run to the end of the current unit (a block), {@code count} times. */
    record StepOver(int count) implements Action {
        public String name() {
            return "step-over";
        }
    }

    /** Run until a step whose name matches the pattern ({@code *} within a part, {@code **} across parts). */
    record RunTo(String pattern) implements Action {
        public String name() {
            return "run-to";
        }
    }

    /** Run every remaining step. */
    record RunToEnd() implements Action {
        public String name() {
            return "run-to-end";
        }
    }

    /** Generate {@code tokens} tokens, each running its whole pass, with these sampling settings (seeded). */
    record Generate(int tokens, SamplingConfig sampling) implements Action {
        public String name() {
            return "generate";
        }
    }

    /**
     * Turn an intervention on or off ({@code ablate:0.1}, {@code no-scaling}, {@code mask:causal}, ...); the pass
     * starts over under the new set.
     *
     * @param hidden whether the student must not be told which one (a mask bug drawn at random for them to diagnose)
     */
    record Intervene(String spec, boolean on, boolean hidden) implements Action {
        public String name() {
            return "intervene";
        }
    }

    /**
     * Turn a mask bug on or off: a named one, or {@code random}: one drawn from {@code from} per attempt, seeded by
     * the lesson, page and attempt, so an attempt replays. The runner turns it into an {@link Intervene} before a host
     * sees it.
     *
     * @param bug  a bug name, or {@code random}
     * @param from the bugs a random draw picks from (all six when the lesson names none)
     */
    record MaskBugSwitch(String bug, List<String> from, boolean on) implements Action {
        public static final String RANDOM = "random";

        public MaskBugSwitch {
            from = List.copyOf(from);
        }

        public String name() {
            return "mask-bug";
        }

        public boolean random() {
            return RANDOM.equals(bug);
        }
    }
}
