package dev.attnstudio.app.heatmap;

import javafx.scene.text.Font;
import javafx.scene.text.Text;

/**
 * Which positions of a map's axis carry a token label. A label is one line of text (rotated on the column axis),
 * so labels side by side need a line's height each: when cells are smaller, only every k-th position is labelled
 * (the others are read out on hover), so labels never overlap and never vanish altogether.
 */
public final class AxisLabels {

    /** Pixels left between two neighbouring labels. */
    static final double SPACING = 1;

    private AxisLabels() {
    }

    /**
     * The label step k: 1 when a line fits in a cell, else the smallest k whose k positions hold a line and its
     * spacing; a multiple of {@code factor} so that, on a pooled map, labels sit on whole blocks.
     *
     * @param pixelsPerPosition pixels one position takes on the axis (a pooled map: block pixels / factor)
     * @param lineHeight        height of one line of the label font
     * @param factor            positions per drawn block (1 when not pooled)
     */
    public static int stride(double pixelsPerPosition, double lineHeight, int factor) {
        if (pixelsPerPosition <= 0) {
            throw new IllegalArgumentException("pixels per position must be positive, was " + pixelsPerPosition);
        }
        int k = (int) Math.max(1, Math.ceil((lineHeight + SPACING) / pixelsPerPosition - 1e-9));
        int f = Math.max(1, factor);
        return f * (int) Math.ceil(k / (double) f);
    }

    /**
     * Height a label of a font needs: its ascent and descent (about 1.2 times its size; the line's extra leading is not
     * needed between labels side by side).
     */
    public static double lineHeight(Font font) {
        Text probe = new Text("Mg");
        probe.setFont(font);
        return Math.ceil(Math.min(probe.getLayoutBounds().getHeight(), font.getSize() * 1.2));
    }

    /** "every 3rd token", for legends: what a stride labels. */
    public static String describe(int stride) {
        if (stride == 1) {
            return "every token";
        }
        String suffix = stride % 100 >= 11 && stride % 100 <= 13 ? "th"
                : switch (stride % 10) {
                    case 1 -> "st";
                    case 2 -> "nd";
                    case 3 -> "rd";
                    default -> "th";
                };
        return "every " + stride + suffix + " token";
    }
}
