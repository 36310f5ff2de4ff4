package dev.attnstudio.app.panels;

import dev.attnstudio.app.heatmap.CanvasRegion;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableValue;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.util.Duration;

/**
 * A canvas of rows x columns cells that the mouse and the keyboard read alike: hovering a cell, or moving the
 * cell cursor onto it (click a cell, or focus the canvas with Tab and use the arrow keys; Home and End go to the
 * row's first and last cell), reads it out through {@link #readout}: the hovered cell, else the cursor's. The
 * cursor is outlined in the accent colour; a tooltip gives the readout and names the keys.
 */
abstract class GridCanvas extends CanvasRegion {

    /** One cell of the grid. */
    record Cell(int row, int col) {
    }

    /** The keyboard cell cursor, null until a cell is clicked or an arrow key pressed. */
    final ObjectProperty<Cell> cursor = new SimpleObjectProperty<>(this, "cursor");
    /** The cell under the mouse, or null. */
    final ReadOnlyObjectWrapper<Cell> hovered = new ReadOnlyObjectWrapper<>(this, "hovered");
    /** The hovered cell described, else the cursor's, else empty. */
    final ReadOnlyStringWrapper readout = new ReadOnlyStringWrapper(this, "readout", "");

    /** The last drawing's cell geometry (see {@link #placeCells}). */
    private double gridX;
    private double gridY;
    private double pitchX;
    private double pitchY;
    private double gap;

    GridCanvas(String keysHint) {
        setFocusTraversable(true);
        Tooltip tip = new Tooltip();
        tip.setShowDelay(Duration.millis(300));
        tip.textProperty().bind(readout.map(r -> r.isEmpty() ? keysHint : r + "\n" + keysHint));
        Tooltip.install(this, tip);
        addEventHandler(MouseEvent.MOUSE_MOVED, e -> hovered.set(cellAt(e.getX(), e.getY())));
        addEventHandler(MouseEvent.MOUSE_EXITED, e -> hovered.set(null));
        addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            requestFocus();
            Cell at = cellAt(e.getX(), e.getY());
            if (at != null) {
                cursor.set(at);
            }
        });
        addEventHandler(KeyEvent.KEY_PRESSED, this::key);
        hovered.addListener((obs, old, now) -> refreshReadout());
        cursor.addListener((obs, old, now) -> {
            refreshReadout();
            redraw();
        });
    }

    /** Redraws and re-reads the grid whenever {@code data} changes (new rows, columns and cells). */
    final void watchData(ObservableValue<?> data) {
        data.addListener((obs, old, now) -> {
            redraw();
            gridChanged();
        });
    }

    /** Redraws and refreshes the readout whenever {@code setting} changes (the same grid, shown otherwise). */
    final void watchSetting(ObservableValue<?> setting) {
        setting.addListener((obs, old, now) -> {
            redraw();
            refreshReadout();
        });
    }

    /** Rows of the grid now (0 when there is nothing to show). */
    abstract int rows();

    /** Columns of the grid now. */
    abstract int cols();



    /** What the readout says for a cell of the grid. */
    abstract String describe(int row, int col);

    /** Draws the cells and tells where they went with {@link #placeCells}; the cursor is outlined on top. */
    abstract void paintCells(GraphicsContext gc, double w, double h);

    /**
     * Where the drawing put its cells: the top-left of cell (0, 0), the pitch from one cell to the next, and the
     * gap (gutter) between cells; a pitch of 0 says no cells were drawn.
     */
    final void placeCells(double x, double y, double pitchX, double pitchY, double gap) {
        gridX = x;
        gridY = y;
        this.pitchX = pitchX;
        this.pitchY = pitchY;
        this.gap = gap;
    }

    /** The cell at canvas point (x, y) in the last drawing, or null off the cells. */
    final Cell cellAt(double x, double y) {
        if (pitchX <= 0 || pitchY <= 0) {
            return null;
        }
        int col = (int) Math.floor((x - gridX) / pitchX);
        int row = (int) Math.floor((y - gridY) / pitchY);
        return row < 0 || col < 0 || row >= rows() || col >= cols() ? null : new Cell(row, col);
    }

    /** Centre of a cell in canvas coordinates (for tests). */
    final double[] cellCentre(int row, int col) {
        return new double[] {gridX + (col + 0.5) * pitchX, gridY + (row + 0.5) * pitchY};
    }

    /** A cell's box in the last drawing: {x, y, width, height} in canvas pixels, or null if none was drawn. */
    private double[] cellBox(int row, int col) {
        return pitchX <= 0 ? null : new double[] {gridX + col * pitchX, gridY + row * pitchY, pitchX - gap, pitchY - gap};
    }

    @Override
    protected final void paint(GraphicsContext gc, double w, double h) {
        paintCells(gc, w, h);
        Cell c = cursor.get();
        double[] box = c == null ? null : cellBox(c.row(), c.col());
        if (box != null) {
            gc.setStroke(colours().accent());
            gc.setLineWidth(2);
            gc.strokeRect(box[0] - 1, box[1] - 1, Math.max(box[2], 3) + 1, Math.max(box[3], 3) + 1);
        }
    }

    /** Call when the data changed: drops a cursor that fell off the grid and refreshes the readout. */
    final void gridChanged() {
        hovered.set(null);
        Cell c = cursor.get();
        if (c != null && (c.row() >= rows() || c.col() >= cols())) {
            cursor.set(null);
        }
        refreshReadout();
    }

    /** Describes the hovered cell, else the cursor's, anew (when what a description says has changed). */
    final void refreshReadout() {
        Cell c = hovered.get() != null ? hovered.get() : cursor.get();
        readout.set(c == null || c.row() >= rows() || c.col() >= cols() ? "" : describe(c.row(), c.col()));
    }

    private void key(KeyEvent e) {
        if (rows() == 0 || cols() == 0) {
            return;
        }
        Cell c = cursor.get() == null ? new Cell(0, 0) : cursor.get();
        int r = c.row();
        int col = c.col();
        switch (e.getCode()) {
            case UP -> r--;
            case DOWN -> r++;
            case LEFT -> col--;
            case RIGHT -> col++;
            case HOME -> col = 0;
            case END -> col = cols() - 1;
            default -> {
                return;
            }
        }
        cursor.set(new Cell(Math.max(0, Math.min(rows() - 1, r)), Math.max(0, Math.min(cols() - 1, col))));
        e.consume();
    }
}
