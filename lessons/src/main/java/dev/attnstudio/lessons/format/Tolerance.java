package dev.attnstudio.lessons.format;

import dev.attnstudio.engine.expr.Comparison;

/**
 * How close a number (or every value of a tensor) must be: NumPy's isclose, {@code |answer - expected| <= atol + rtol
 * * |expected|}. ARENA's values unless the exercise states looser ones (say, for numbers read off a view to two
 * decimals).
 */
public record Tolerance(double atol, double rtol) {

    public static final Tolerance ARENA = new Tolerance(Comparison.ATOL, Comparison.RTOL);

    public boolean close(double actual, double expected) {
        return Comparison.isClose(actual, expected, atol, rtol);
    }
}
