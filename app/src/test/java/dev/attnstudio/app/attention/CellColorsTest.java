package dev.attnstudio.app.attention;

import dev.attnstudio.app.heatmap.ColorMode;
import dev.attnstudio.app.heatmap.ColorScale;
import dev.attnstudio.engine.metrics.FiniteRange;
import dev.attnstudio.engine.metrics.Pooling;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Colour scales and the raster, without the toolkit. */
class CellColorsTest {

    /** The palettes are looked up in 1024-step tables: equal to the exact colour within a step. */
    private static void assertColour(int expected, int actual) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xff;
            int a = (actual >> shift) & 0xff;
            assertTrue(Math.abs(e - a) <= 1, Integer.toHexString(expected) + " vs " + Integer.toHexString(actual));
        }
    }

    private static int brightness(int argb) {
        return ((argb >> 16) & 0xff) + ((argb >> 8) & 0xff) + (argb & 0xff);
    }

    @Test
    void logScaleMakesSmallWeightsVisibleWhereLinearDoesNot() {
        FiniteRange r = new FiniteRange(0, 1, 3, 0, 0);
        CellColors linear = CellColors.of(AttentionMatrix.Kind.WEIGHTS, r, ColorMode.LINEAR);
        CellColors log = CellColors.of(AttentionMatrix.Kind.WEIGHTS, r, ColorMode.LOG);
        // 0.01 is 1% of the linear range but halfway (two of four decades) on the log range
        assertEquals(0.01, linear.position(0.01f), 1e-6);
        assertEquals(0.5, log.position(0.01f), 1e-6);
        assertColour(ColorScale.sequential(linear.position(0.01f)), linear.argb(0.01f, 0));
        assertColour(ColorScale.sequential(log.position(0.01f)), log.argb(0.01f, 0));
        assertTrue(brightness(log.argb(0.01f, 0)) < brightness(linear.argb(0.01f, 0)) - 150, "log draws 0.01 much darker");
        // both agree at the top, and the log scale floors at 1e-4
        assertEquals(linear.argb(1f, 0), log.argb(1f, 0));
        assertEquals(log.argb(0f, 0), log.argb(1e-5f, 0));
        assertEquals("log10", log.scaleName());
    }

    @Test
    void perRowNormalisesEachRowOnItsOwn() {
        // row 0 spans 0.1..0.2, row 1 spans 0..1: 0.2 is the darkest colour in row 0 but pale in row 1
        float[] m = {0.1f, 0.2f, 0f, 1f};
        CellColors perRow = CellColors.of(AttentionMatrix.Kind.WEIGHTS, FiniteRange.of(m), ColorMode.PER_ROW);
        perRow.rowRanges(FiniteRange.rows(m, 2, 2));
        assertEquals(ColorScale.sequential(1.0), perRow.argb(0.2f, 0));
        assertEquals(ColorScale.sequential(0.0), perRow.argb(0.1f, 0));
        assertColour(ColorScale.sequential(0.2), perRow.argb(0.2f, 1));
        CellColors linear = CellColors.of(AttentionMatrix.Kind.WEIGHTS, FiniteRange.of(m), ColorMode.LINEAR);
        assertNotEquals(linear.argb(0.2f, 0), perRow.argb(0.2f, 0));
        assertEquals("row max", perRow.highLabel());
    }

    @Test
    void scoresOfBothSignsAreCentredOnZero() {
        CellColors c = CellColors.of(AttentionMatrix.Kind.SCORES, new FiniteRange(-2, 4, 10, 1, 0), ColorMode.LINEAR);
        assertColour(ColorScale.diverging(0.5), c.argb(0f, 0));
        assertColour(ColorScale.diverging(0.25), c.argb(-2f, 0));
        assertEquals("-4.00", c.lowLabel());
        CellColors log = CellColors.of(AttentionMatrix.Kind.SCORES, new FiniteRange(-2, 4, 10, 1, 0), ColorMode.LOG);
        assertEquals(0.5, log.position(0f), 1e-9);
        assertTrue(log.position(0.1f) > c.position(0.1f), "symmetric log lifts small scores");
        assertEquals("symmetric log", log.scaleName());
    }

    @Test
    void rasterHatchesMaskedCellsAndPoolsByTheRule() {
        float neg = Float.NEGATIVE_INFINITY;
        float[] m = {0.5f, neg, 0.2f, 0.3f};
        CellColors c = CellColors.of(AttentionMatrix.Kind.SCORES, FiniteRange.of(m), ColorMode.LINEAR);
        int[] px = new int[4 * 4];
        MapRaster.draw(m, 0, 2, 0, 0, 2, 2, 1, Pooling.Rule.MAX, c, new int[] {0, 2, 4}, new int[] {0, 2, 4}, 0, px, 4);
        // cell (0, 1) covers pixels x 2..3, y 0..1: the hatch, which no palette colour equals
        for (int y = 0; y < 2; y++) {
            for (int x = 2; x < 4; x++) {
                assertEquals(ColorScale.hatch(x, y), px[y * 4 + x]);
            }
        }
        assertEquals(c.argb(0.5f, 0), px[0]);
        // pooled 2x2: max 0.5, mean of the three unmasked cells
        float[] max = MapRaster.draw(m, 0, 2, 0, 0, 2, 2, 2, Pooling.Rule.MAX, c, new int[] {0, 1}, new int[] {0, 1}, 0, new int[1], 1);
        float[] mean = MapRaster.draw(m, 0, 2, 0, 0, 2, 2, 2, Pooling.Rule.MEAN, c, new int[] {0, 1}, new int[] {0, 1}, 0, new int[1], 1);
        assertEquals(0.5f, max[0]);
        assertEquals((0.5f + 0.2f + 0.3f) / 3, mean[0], 1e-6f);
    }
}
