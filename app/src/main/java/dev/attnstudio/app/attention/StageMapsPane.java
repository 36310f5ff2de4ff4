package dev.attnstudio.app.attention;

import javafx.scene.layout.Region;

import java.util.List;

/**
 * Lays the Stages view's four maps out in the arrangement that gives their cells the most room: a row of four in a
 * wide, low view, two by two in a squarer one, a column in a tall one. Every map gets the same size (they share one
 * viewport, so they zoom and pan together).
 */
final class StageMapsPane extends Region {

    /** Gap between two maps, in points. */
    static final double GAP = 12;
    private static final int[][] ARRANGEMENTS = {{4, 1}, {2, 2}, {1, 4}};

    private final List<AttentionMapView> maps;
    private int columns = 4;

    StageMapsPane(List<AttentionMapView> maps) {
        this.maps = List.copyOf(maps);
        getChildren().addAll(maps);
    }

    /** Columns of the last layout (4: one row; 2: two by two; 1: one column). */
    int columns() {
        return columns;
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth() - snappedLeftInset() - snappedRightInset();
        double h = getHeight() - snappedTopInset() - snappedBottomInset();
        double best = -1;
        for (int[] a : ARRANGEMENTS) {
            double mw = Math.floor((w - GAP * (a[0] - 1)) / a[0]);
            double mh = Math.floor((h - GAP * (a[1] - 1)) / a[1]);
            double score = score(mw, mh);
            if (score > best + 1e-9) {
                best = score;
                columns = a[0];
            }
        }
        int rows = (maps.size() + columns - 1) / columns;
        double mw = Math.floor((w - GAP * (columns - 1)) / columns);
        double mh = Math.floor((h - GAP * (rows - 1)) / rows);
        for (int i = 0; i < maps.size(); i++) {
            int c = i % columns;
            int r = i / columns;
            maps.get(i).resizeRelocate(snappedLeftInset() + c * (mw + GAP), snappedTopInset() + r * (mh + GAP),
                    Math.max(0, mw), Math.max(0, mh));
        }
    }

    /** The cells a map of {@code w x h} would get: the smallest over the maps with a matrix, else the square's side. */
    private double score(double w, double h) {
        double cell = Double.MAX_VALUE;
        boolean any = false;
        for (AttentionMapView m : maps) {
            if (m.getMatrix() != null) {
                cell = Math.min(cell, m.fitCell(w, h));
                any = true;
            }
        }
        return any ? cell : Math.min(w, h);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 4 * 200 + 3 * GAP;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 260;
    }

    @Override
    protected double computeMinWidth(double height) {
        return 160;
    }

    @Override
    protected double computeMinHeight(double width) {
        return 120;
    }
}
