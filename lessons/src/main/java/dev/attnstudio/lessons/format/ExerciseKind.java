package dev.attnstudio.lessons.format;

import dev.attnstudio.lessons.probe.AnswerKind;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** The kinds of exercise, with the answers each takes. */
public enum ExerciseKind {
    /** The view stays hidden (blurred) until the student commits to an answer; then it is shown and graded. */
    PREDICT("predict", Set.of(AnswerKind.NUMBER, AnswerKind.CELL, AnswerKind.SHAPE, AnswerKind.CHOICE)),
    /** Click the cell of a map: which key does this query attend to most? */
    PICK_CELL("pick-cell", Set.of(AnswerKind.CELL)),
    /** Type a number; graded with the exercise's tolerance. */
    NUMBER("number", Set.of(AnswerKind.NUMBER)),
    /** Type a shape such as [1, 4, 12, 12]; graded exactly. */
    SHAPE("shape", Set.of(AnswerKind.SHAPE)),
    /** Pick one of the options a probe lists; the right one comes from another probe. */
    CHOICE("choice", Set.of(AnswerKind.CHOICE)),
    /** Put items in order. */
    ORDER("order", Set.of(AnswerKind.ORDER)),
    /** Type a tensor expression over hook names; it is evaluated and compared with the real tensor. */
    COMPUTE("compute", Set.of(AnswerKind.TENSOR));

    public final String id;
    /** The answer kinds its answer probe may give. */
    public final Set<AnswerKind> answers;

    ExerciseKind(String id, Set<AnswerKind> answers) {
        this.id = id;
        this.answers = answers;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(k -> k.id).toList();
    }

    /** The kind of an id, or null. */
    public static ExerciseKind of(String id) {
        return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst().orElse(null);
    }
}
