package dev.attnstudio.app.attention;

import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * A view whose whole content is one vertical box filling the region's content area (inside its insets); its
 * preferred size is the box's plus the insets. The attention views that stack a header, a map or drawing and a
 * readout extend it and hand their box over once with {@link #setBox}.
 */
abstract class BoxView extends Region {

    private VBox box;

    /** Makes {@code box} this view's one child; called once from the subclass constructor. */
    protected final void setBox(VBox box) {
        this.box = box;
        getChildren().add(box);
    }

    @Override
    protected void layoutChildren() {
        box.resizeRelocate(getInsets().getLeft(), getInsets().getTop(),
                getWidth() - getInsets().getLeft() - getInsets().getRight(),
                getHeight() - getInsets().getTop() - getInsets().getBottom());
    }

    @Override
    protected double computePrefWidth(double height) {
        return box.prefWidth(height) + getInsets().getLeft() + getInsets().getRight();
    }

    @Override
    protected double computePrefHeight(double width) {
        return box.prefHeight(width) + getInsets().getTop() + getInsets().getBottom();
    }
}
