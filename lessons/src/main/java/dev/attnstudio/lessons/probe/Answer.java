package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.step.TensorData;

import java.util.Arrays;
import java.util.List;

/**
 * What a probe found on the live trace: the right answer of an exercise, its options, or what a misconception
 * would give. Never written in a lesson file; computed when the page opens.
 */
public sealed interface Answer {

    AnswerKind kind();

    /** @param value the number (may be NaN where the trace holds NaN) */
    record Number(double value) implements Answer {
        public AnswerKind kind() {
            return AnswerKind.NUMBER;
        }
    }

    /**
     * @param query  the query (row of the map)
     * @param key    the key (column)
     * @param keys   how many keys the row has (K), so a checker can name a wrong cell
     * @param weight the value in the cell (NaN when the probe is not about a weight)
     */
    record Cell(int query, int key, int keys, double weight) implements Answer {
        public AnswerKind kind() {
            return AnswerKind.CELL;
        }
    }

    record Shape(long[] dims) implements Answer {
        public Shape {
            dims = dims.clone();
        }

        public AnswerKind kind() {
            return AnswerKind.SHAPE;
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && Arrays.equals(dims, s.dims);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(dims);
        }

        @Override
        public String toString() {
            return Arrays.toString(dims);
        }
    }

    /** @param id the option's id, as in {@link Options} */
    record Choice(String id) implements Answer {
        public AnswerKind kind() {
            return AnswerKind.CHOICE;
        }
    }

    /** One option of a multiple choice: what the answer is compared by, and what the student reads. */
    record Option(String id, String label) {
    }

    record Options(List<Option> options) implements Answer {
        public Options {
            options = List.copyOf(options);
        }

        public AnswerKind kind() {
            return AnswerKind.OPTIONS;
        }

        public boolean has(String id) {
            return options.stream().anyMatch(o -> o.id().equals(id));
        }

        public String label(String id) {
            return options.stream().filter(o -> o.id().equals(id)).map(Option::label).findFirst().orElse(id);
        }
    }

    /** @param items the items in their right order */
    record Order(List<String> items) implements Answer {
        public Order {
            items = List.copyOf(items);
        }

        public AnswerKind kind() {
            return AnswerKind.ORDER;
        }
    }

    /**
     * @param value     the tensor
     * @param reference an expression over hook names that computes it (checked to do so), for the worked solution
     */
    record Tensor(TensorData value, String reference) implements Answer {
        public AnswerKind kind() {
            return AnswerKind.TENSOR;
        }
    }
}
