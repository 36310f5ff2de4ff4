package dev.attnstudio.lessons.grade;

import dev.attnstudio.lessons.probe.AnswerKind;

import java.util.Arrays;
import java.util.List;

/** What a student submits for an exercise. */
public sealed interface Response {

    /** The text saved in progress for this response. */
    String text();

    record Number(double value) implements Response {
        public String text() {
            return Double.toString(value);
        }
    }

    record Cell(int query, int key) implements Response {
        public String text() {
            return query + ", " + key;
        }
    }

    record Shape(long[] dims) implements Response {
        public Shape {
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        public String text() {
            return Arrays.toString(dims);
        }
    }

    record Choice(String id) implements Response {
        public String text() {
            return id;
        }
    }

    record Order(List<String> items) implements Response {
        public Order {
            items = List.copyOf(items);
        }

        public String text() {
            return String.join(", ", items);
        }
    }

    /** A tensor expression over hook names, evaluated on the live trace. */
    record Expression(String source) implements Response {
        public String text() {
            return source;
        }
    }

    /**
     * Reads a typed answer: a number ({@code 0.25}), a cell ({@code 3, 1}), a shape ({@code [1, 4, 12, 12]}), an
     * option id, items separated by commas or new lines, or an expression.
     *
     * @throws IllegalArgumentException with a message for the student when the text is not such an answer
     */
    static Response parse(AnswerKind kind, String text) {
        String t = text.strip();
        return switch (kind) {
            case NUMBER -> {
                try {
                    yield new Number(Double.parseDouble(t));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("type a number, such as 0.25 or -3");
                }
            }
            case CELL -> {
                long[] v = integers(t, "type the cell as query, key: for example 3, 1");
                if (v.length != 2) {
                    throw new IllegalArgumentException("type the cell as query, key: for example 3, 1");
                }
                yield new Cell((int) v[0], (int) v[1]);
            }
            case SHAPE -> new Shape(integers(t, "type a shape such as [1, 4, 12, 12]"));
            case CHOICE -> new Choice(t);
            case ORDER -> new Order(Arrays.stream(t.split("[,\\n]")).map(String::strip).filter(s -> !s.isEmpty()).toList());
            case TENSOR -> new Expression(t);
            case OPTIONS -> throw new IllegalArgumentException("options are not an answer");
        };
    }

    private static long[] integers(String t, String help) {
        String inner = t.replaceAll("^[\\[(]|[\\])]$", "").strip();
        if (inner.isEmpty()) {
            return new long[0];
        }
        try {
            return Arrays.stream(inner.split("\\s*[,\\s]\\s*")).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(help);
        }
    }
}
