package dev.attnstudio.lessons.probe;

/** What a probe produces, and so what kind of exercise it can answer. */
public enum AnswerKind {
    /** One number ({@code number} exercises; {@code predict}). */
    NUMBER,
    /** A cell of an attention map: a query and a key ({@code pick-cell}; {@code predict}). */
    CELL,
    /** A tensor's shape ({@code shape}; {@code predict}). */
    SHAPE,
    /** One option's id ({@code choice}; {@code predict}). */
    CHOICE,
    /** The options of a multiple choice, each an id and a label (a choice's {@code options}). */
    OPTIONS,
    /** Items in their right order ({@code order}). */
    ORDER,
    /** A tensor, with an expression that computes it ({@code compute}). */
    TENSOR
}
