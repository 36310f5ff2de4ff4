package dev.attnstudio.app.heatmap;

/**
 * Where cells of a fractional size fall on the pixels of one axis of an image: a map filling its frame exactly has
 * cells of, say, 7.4 pixels, drawn 7 or 8 pixels wide so that together they cover the frame without a gap.
 */
public final class PixelEdges {

    private PixelEdges() {
    }

    /**
     * The edges of {@code count} cells: cell i covers pixels {@code [edges[i], edges[i + 1])}; edge i is
     * {@code offset + i * pitch} rounded, clamped to [0, limit] (cells outside the image get no pixels).
     *
     * @param offset where the first cell's leading edge falls, in pixels (negative when it is partly cut off)
     * @param pitch  pixels per cell
     */
    public static int[] of(double offset, double pitch, int count, int limit) {
        int[] edges = new int[count + 1];
        for (int i = 0; i <= count; i++) {
            edges[i] = (int) Math.max(0, Math.min(limit, Math.round(offset + i * pitch)));
        }
        return edges;
    }
}
