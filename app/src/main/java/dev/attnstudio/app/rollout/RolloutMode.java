package dev.attnstudio.app.rollout;

/** What the Rollout view shows. */
public enum RolloutMode {
    /** The whole model's rollout R_L (Abnar and Zuidema 2020). */
    MODEL("Rollout (whole model)"),
    /** Decoders: R_L divided by what the causal receptive field alone gives each token, rows renormalised. */
    FIELD_NORMALISED("Receptive-field normalised"),
    /** The selected head rolled out through the layers below it: A(l, h) R(l-1). */
    HEAD("Selected head"),
    /** Attention flow: max-flow from each output to each input token (up to 64 tokens). */
    FLOW("Flow");

    final String title;

    RolloutMode(String title) {
        this.title = title;
    }
}
