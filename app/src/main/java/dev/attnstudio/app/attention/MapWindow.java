package dev.attnstudio.app.attention;

/**
 * Which part of a matrix an {@link AttentionMapView} shows: the zoom (1 = the whole matrix fits) and the first row
 * and column of the visible window. Changed by {@link MapNavigation}; clamped to the matrix by {@link MapLayout#fit}.
 */
final class MapWindow {

    private double zoom = 1;
    private int row0;
    private int col0;

    double zoom() {
        return zoom;
    }

    void setZoom(double z) {
        zoom = z;
    }

    int row0() {
        return row0;
    }

    int col0() {
        return col0;
    }

    /** Moves the window's top-left corner (not yet clamped to the matrix). */
    void moveTo(int row, int col) {
        row0 = row;
        col0 = col;
    }

    /** The whole matrix, from its first cell. */
    void reset() {
        zoom = 1;
        row0 = 0;
        col0 = 0;
    }
}
