package dev.attnstudio.engine.diagnose.heads;

/** The thresholds of the head report card's flags, each with its reason. */
public final class CardThresholds {

    /**
     * Mean normalized entropy above which a head is near-uniform: within 5% of the entropy of spreading its weight
     * evenly over every key it may see (a freshly initialized head sits at about 1.0).
     */
    public static final double NEAR_UNIFORM_ENTROPY = 0.95;

    /**
     * Mean normalized entropy below which a head is one-hot: 0.05 is the level every head of the deliberately
     * collapsed sample falls under within 100 steps, while working heads of the trained samples stay above 0.25.
     */
    public static final double COLLAPSED_ENTROPY = 0.05;

    /**
     * Share of the model's heads that must be one-hot for them to be flagged collapsed (error) rather than one-hot
     * (warning). Entropy collapse (Zhai et al. 2023) takes most heads of a model at once, as in the deliberately
     * collapsed sample (all 8); a real model such as all-MiniLM-L6-v2 has a few one-hot heads among 72 that attend to
     * a fixed relative position, which is their job.
     */
    public static final double COLLAPSED_SHARE = 0.5;

    /**
     * ... together with a confidence (mean max weight) above this: the rows really are one-hot (the collapsed sample's
     * least confident head still puts 0.946 on its top key).
     */
    public static final double COLLAPSED_CONFIDENCE = 0.9;

    /** alpha of the first or a special key above which it is a sink: Gu et al. (2025)'s epsilon. */
    public static final double SINK_ALPHA = 0.3;

    /** ||head output|| / ||residual|| below which a head is dead: it moves the residual stream by under 1%. */
    public static final double DEAD_RATIO = 0.01;

    /**
     * Mean Jensen-Shannon divergence (nats per query row) below which two heads of a layer are duplicates: 0.01 is
     * under 1.5% of the largest possible divergence (log 2, disjoint rows); patterns this close look the same on a
     * heatmap.
     */
    public static final double DUPLICATE_JS = 0.01;

    /** |loss change| (nats) under ablation below which a head is unimportant on these prompts. */
    public static final double UNIMPORTANT_DELTA = 0.01;

    /**
     * Without ablation: gradient importance, L2-normalized within the layer (Michel et al.), below which a head is
     * unimportant; an even share among H heads would be 1 / sqrt(H) (0.29 for 12 heads).
     */
    public static final double UNIMPORTANT_GRADIENT = 0.05;

    /**
     * Heads (over every attention sub-layer) above which ablation importance is skipped unless asked for: it costs one
     * forward pass per head, which for GPT-2 small (144 heads) is minutes on two cores. Gradient importance costs one
     * forward and one backward pass whatever the size.
     */
    public static final int ABLATION_HEAD_LIMIT = 64;

    /**
     * Prompt rows importance is measured on (the first ones): gradient importance keeps the whole vocabulary's logits
     * and their gradients for every row (GPT-2 small: 200 MB per 128-token row), and ablation runs every row once per
     * head, so both are estimated on a few rows (Michel et al.'s expectation over examples, sampled).
     */
    public static final int IMPORTANCE_ROWS = 4;

    private CardThresholds() {
    }
}
