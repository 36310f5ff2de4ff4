package dev.attnstudio.app.views;

/**
 * A cell of an attention-shaped map that one view asks the others to point at (a lint finding's query and key): the
 * views that keep a cell cursor (Head, Mask) move it there.
 *
 * @param row the query position (absolute, as in the whole sequence)
 * @param col the key position
 */
public record ViewCell(int row, int col) {
}
