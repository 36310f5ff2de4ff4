package dev.attnstudio.app.heatmap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The viewport's arithmetic, without the toolkit: zoom about a point, clamping, panning, revealing a cell; pixel edges. */
class MapViewportTest {

    @Test
    void zoomKeepsTheCellUnderThePointAndTheWindowInsideTheMap() {
        MapViewport v = new MapViewport();
        MapViewport.Geometry g = v.fit(100, 100, 10, 20, 4, 4); // a 400 x 400 frame at (10, 20)
        assertFalse(g.zoomed());
        assertEquals(0, g.firstCol());
        assertEquals(100, g.endCol());
        double px = 10 + 4 * 63.5;
        double py = 20 + 4 * 20.25;
        v.zoomAt(g, 2, px, py);
        MapViewport.Geometry z = v.fit(100, 100, 10, 20, 4, 4);
        assertTrue(z.zoomed());
        assertEquals(8, z.cellW(), 1e-12);
        assertEquals(63.5, z.colAt(px), 1e-9, "the column under the pointer stays");
        assertEquals(20.25, z.rowAt(py), 1e-9, "the row under the pointer stays");
        assertEquals(50, z.endCol() - z.firstCol(), 1, "half the columns show");

        // a pan past the map's end stops at its edge
        v.panBy(z, -10_000, 0);
        MapViewport.Geometry right = v.fit(100, 100, 10, 20, 4, 4);
        assertEquals(50, right.col0(), 1e-9);
        assertEquals(100, right.endCol());
        v.panBy(right, 0, 10_000);
        assertEquals(0, v.fit(100, 100, 10, 20, 4, 4).row0(), 1e-9);

        // a cursor off the window pulls it along; zooming out past 1 stops at the whole map
        v.reveal(right, 90, 10);
        MapViewport.Geometry shown = v.fit(100, 100, 10, 20, 4, 4);
        assertTrue(shown.firstCol() <= 10 && shown.endCol() > 10 && shown.firstRow() <= 90 && shown.endRow() > 90);
        v.zoomAt(shown, 0.01, 0, 0);
        assertEquals(1, v.zoom(), 1e-12);
        assertFalse(v.fit(100, 100, 10, 20, 4, 4).zoomed());
    }

    @Test
    void zoomStopsAtTheLargestCell() {
        MapViewport v = new MapViewport();
        MapViewport.Geometry g = v.fit(10, 10, 0, 0, 20, 20);
        for (int i = 0; i < 40; i++) {
            v.zoomAt(v.fit(10, 10, 0, 0, 20, 20), MapGestures.ZOOM_STEP, 100, 100);
        }
        assertEquals(MapViewport.MAX_CELL, v.fit(10, 10, 0, 0, 20, 20).cellW(), 1e-9);
        int[] changes = {0};
        v.addListener(() -> changes[0]++);
        v.reset();
        assertEquals(1, changes[0], "listeners hear of the change");
        v.reset();
        assertEquals(1, changes[0], "and not of a reset that changes nothing");
        assertEquals(g, v.fit(10, 10, 0, 0, 20, 20));
    }

    @Test
    void fractionalCellsCoverTheFrameWithoutGaps() {
        int[] edges = PixelEdges.of(0, 7.4, 5, 1000);
        assertArrayEquals(new int[] {0, 7, 15, 22, 30, 37}, edges);
        int[] cut = PixelEdges.of(-3.5, 2.5, 4, 5);
        assertArrayEquals(new int[] {0, 0, 2, 4, 5}, cut, "cells before the image get no pixels, the image's edge clips");
    }
}
