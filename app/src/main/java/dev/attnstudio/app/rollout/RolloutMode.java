package dev.attnstudio.app.rollout;

/** What the Rollout view shows. */
public enum RolloutMode {
    /** The whole model's rollout R_L (Abnar and Zuidema 2020). */
    MODEL("Rollout (whole model)", "R_L = A_hat_L ... A_hat_1, A_hat = 0.5 mean_h(A) + 0.5 I, rows renormalised"),
    /** Decoders: R_L divided by what the causal receptive field alone gives each token, rows renormalised. */
    FIELD_NORMALISED("Receptive-field normalised", "The rollout divided by what causal attention alone gives each"
            + " token (uniform attention rolled out), rows renormalised: for decoders"),
    /** The selected head rolled out through the layers below it: A(l, h) R(l-1). */
    HEAD("Selected head", "The selected head's pattern rolled out through the layers below it: A(l, h) R(l-1)"),
    /** Attention flow: max-flow from each output to each input token (up to 64 tokens). */
    FLOW("Flow", "Attention flow: the max-flow from each output to each input token through the layer graph"
            + " (up to 64 tokens)");

    final String title;
    final String help;

    RolloutMode(String title, String help) {
        this.title = title;
        this.help = help;
    }
}
