package dev.attnstudio.lessons.grade;

/**
 * How an answer was graded.
 *
 * @param outcome       right, a named mistake, plain wrong, or not readable as an answer
 * @param message       what the student is told
 * @param fractionClose for compute answers, the share of values within tolerance of the right tensor (NaN otherwise)
 */
public record Verdict(Outcome outcome, String message, double fractionClose) {

    public enum Outcome {
        CORRECT,
        /** Matches a misconception the lesson names: the message is the lesson's for it. */
        MISCONCEPTION,
        WRONG,
        /** Not an answer of the right form (an expression that does not parse, a shape that is not numbers). */
        UNREADABLE
    }

    public boolean correct() {
        return outcome == Outcome.CORRECT;
    }

    static Verdict of(Outcome outcome, String message) {
        return new Verdict(outcome, message, Double.NaN);
    }
}
