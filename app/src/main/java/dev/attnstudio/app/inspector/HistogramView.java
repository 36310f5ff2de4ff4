package dev.attnstudio.app.inspector;

import dev.attnstudio.engine.metrics.TensorStats;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A histogram of a tensor's finite values, as {@link TensorStats} binned them: one bar per bin, heights in
 * proportion to the fullest bin, the value range under the bars and the fullest count above them. Bars are
 * regions styled by the theme; hovering one tells its range and count.
 */
public final class HistogramView extends Region {

    private static final double AXIS_HEIGHT = 16;
    private static final double TOP = 14;

    private final ObjectProperty<TensorStats> stats = new SimpleObjectProperty<>(this, "stats");
    private final List<Region> bars = new ArrayList<>();
    private final Label low = axisLabel();
    private final Label high = axisLabel();
    private final Label peak = axisLabel();

    public HistogramView() {
        getStyleClass().add("histogram");
        setPadding(new Insets(4, 6, 2, 6));
        getChildren().addAll(low, high, peak);
        low.setTooltip(new Tooltip("Smallest finite value: the left edge of the first bin"));
        high.setTooltip(new Tooltip("Largest finite value: the right edge of the last bin"));
        peak.setTooltip(new Tooltip("Values in the fullest bin (bar heights are relative to it)"));
        stats.addListener((obs, old, now) -> rebuild(now));
    }

    public ObjectProperty<TensorStats> statsProperty() {
        return stats;
    }

    public void setStats(TensorStats s) {
        stats.set(s);
    }

    /** Number of bars drawn (for tests). */
    public int barCount() {
        return bars.size();
    }

    private static Label axisLabel() {
        Label l = new Label();
        l.getStyleClass().add("histogram-axis");
        l.setManaged(false);
        return l;
    }

    private void rebuild(TensorStats s) {
        getChildren().removeAll(bars);
        bars.clear();
        if (s == null || s.finite() == 0) {
            low.setText(s == null ? "" : "no finite values");
            high.setText("");
            peak.setText("");
            requestLayout();
            return;
        }
        long[] h = s.histogram();
        for (int i = 0; i < h.length; i++) {
            Region bar = new Region();
            bar.getStyleClass().add("histogram-bar");
            bar.setManaged(false);
            double from = s.binLow() + i * s.binWidth();
            Tooltip.install(bar, new Tooltip(String.format(Locale.ROOT, "[%.4g, %.4g%s: %d value%s", from,
                    from + s.binWidth(), i == h.length - 1 ? "]" : ")", h[i], h[i] == 1 ? "" : "s")));
            bars.add(bar);
        }
        getChildren().addAll(0, bars);
        low.setText(String.format(Locale.ROOT, "%.4g", s.binLow()));
        high.setText(String.format(Locale.ROOT, "%.4g", s.binHigh()));
        peak.setText("max bin " + s.maxBinCount());
        requestLayout();
    }

    @Override
    protected void layoutChildren() {
        Insets in = getInsets();
        double x0 = in.getLeft();
        double w = getWidth() - in.getLeft() - in.getRight();
        double top = in.getTop() + TOP;
        double baseline = getHeight() - in.getBottom() - AXIS_HEIGHT;
        TensorStats s = stats.get();
        if (s != null && !bars.isEmpty()) {
            long max = Math.max(1, s.maxBinCount());
            double bw = w / bars.size();
            for (int i = 0; i < bars.size(); i++) {
                long c = s.histogram()[i];
                double bh = c == 0 ? 0 : Math.max(1, (baseline - top) * c / max);
                bars.get(i).resizeRelocate(snapPositionX(x0 + i * bw), snapPositionY(baseline - bh),
                        Math.max(1, snapSizeX(bw) - 1), bh);
            }
        }
        for (Label l : List.of(low, high, peak)) {
            l.autosize();
        }
        low.relocate(x0, baseline + 1);
        high.relocate(x0 + w - high.getWidth(), baseline + 1);
        peak.relocate(x0, in.getTop() - 2);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 260;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 130;
    }

    @Override
    protected double computeMinHeight(double width) {
        return 80;
    }
}
