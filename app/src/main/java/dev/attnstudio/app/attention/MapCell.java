package dev.attnstudio.app.attention;

/**
 * A block of cells of a map: rows {@code row .. row+rows-1}, columns {@code col .. col+cols-1}. A single
 * cell when the map is not pooled; a pooling block (e.g. 4 x 4) when it is.
 */
public record MapCell(int row, int col, int rows, int cols) {

    public static MapCell single(int row, int col) {
        return new MapCell(row, col, 1, 1);
    }

    public boolean single() {
        return rows == 1 && cols == 1;
    }

    public boolean contains(int r, int c) {
        return r >= row && r < row + rows && c >= col && c < col + cols;
    }
}
