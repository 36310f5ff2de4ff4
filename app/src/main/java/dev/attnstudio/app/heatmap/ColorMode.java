package dev.attnstudio.app.heatmap;

/** How values become colours on an attention map. */
public enum ColorMode {
    /** Colour proportional to the value over the map's range (weights: 0 to 1). */
    LINEAR("linear", "Colour proportional to the value: weights 0 to 1, scores over their range"),
    /** Logarithmic: small weights (down to 1e-4) become visible; signed scores use a symmetric log. */
    LOG("log", "Logarithmic colour: weights from 1e-4 to 1 spread evenly by order of magnitude"),
    /** Each row spans the whole palette from its own minimum to its own maximum. */
    PER_ROW("per-row", "Each query row normalised on its own: its smallest value light, its largest dark");

    /** Short name for legends. */
    public final String label;
    /** One sentence for tooltips. */
    public final String description;

    ColorMode(String label, String description) {
        this.label = label;
        this.description = description;
    }

    @Override
    public String toString() {
        return label;
    }
}
