package dev.attnstudio.lessons.format;

import dev.attnstudio.lessons.probe.ProbeCall;

import java.util.List;

/**
 * A page's exercise. Its answer is never written here: {@code answer} names the probe that computes it on the live
 * trace when the page opens, {@code options} the probe that lists a choice's options, and each misconception a probe
 * that computes what a typical mistake gives, with the message a student who made it gets.
 *
 * @param id             unique within the lesson; progress is saved under it
 * @param kind           what the student does
 * @param question       what the student is asked (Markdown)
 * @param difficulty     1 (easy) to 5
 * @param minutes        expected minutes
 * @param answer         the probe whose result is the right answer
 * @param options        the probe listing a choice's options; null for other kinds (and for a predict without choice)
 * @param tolerance      how close numbers and tensors must be
 * @param misconceptions probes of typical mistakes, each with its message
 * @param hints          shown one at a time, when asked for
 */
public record Exercise(String id, ExerciseKind kind, String question, int difficulty, double minutes, ProbeCall answer,
                       ProbeCall options, Tolerance tolerance, List<Misconception> misconceptions, List<String> hints) {

    public Exercise {
        misconceptions = List.copyOf(misconceptions);
        hints = List.copyOf(hints);
    }

    /**
     * A mistake a student may make, as the probe that computes its result.
     *
     * @param probe   computes what the mistake gives
     * @param message what the student who made it is told instead of a bare "wrong"
     */
    public record Misconception(ProbeCall probe, String message) {
    }
}
