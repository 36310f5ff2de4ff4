package dev.attnstudio.lessons.format;

/** Something a page points at in its view: a cell, a query's row or a key's column of the map, or a step. */
public sealed interface Highlight {

    /** {@code {"cell": [query, key]}} */
    record Cell(int query, int key) implements Highlight {
    }

    /** {@code {"row": query}} */
    record Row(int query) implements Highlight {
    }

    /** {@code {"column": key}} */
    record Column(int key) implements Highlight {
    }

    /** {@code {"step": "blocks.0.attn.hook_pattern"}}: the step in the steps list (and the pipeline). */
    record Step(String hook) implements Highlight {
    }
}
