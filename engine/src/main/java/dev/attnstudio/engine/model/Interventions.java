package dev.attnstudio.engine.model;

import java.util.HashSet;
import java.util.Set;

/**
 * Changes to the forward pass, for lessons ("what if there were no scaling?") and for debugging a head.
 * Immutable; the {@code with...} methods return copies.
 *
 * @param ablatedHeads heads whose output ({@code hook_z}) is set to zero
 * @param scaling      whether scores are divided by sqrt(d_head)
 * @param positions    whether positions are used: learned position embeddings are added (off: {@code hook_pos_embed}
 *                     is all zeros), rotary models rotate q and k (off: {@code hook_rot_q|k} equal q and k)
 * @param mask         the mask to apply instead of the model's own, or null for the model's own
 */
public record Interventions(Set<Head> ablatedHeads, boolean scaling, boolean positions, MaskOverride mask) {

    /** One attention head. */
    public record Head(int layer, int head) {
    }

    /** The model as it is. */
    public static final Interventions NONE = new Interventions(Set.of(), true, true, null);

    public Interventions {
        ablatedHeads = Set.copyOf(ablatedHeads);
    }

    public Interventions withAblatedHead(int layer, int head) {
        Set<Head> heads = new HashSet<>(ablatedHeads);
        heads.add(new Head(layer, head));
        return new Interventions(heads, scaling, positions, mask);
    }

    public Interventions withScaling(boolean on) {
        return new Interventions(ablatedHeads, on, positions, mask);
    }

    public Interventions withPositions(boolean on) {
        return new Interventions(ablatedHeads, scaling, on, mask);
    }

    public Interventions withMask(MaskOverride override) {
        return new Interventions(ablatedHeads, scaling, positions, override);
    }

    public boolean isAblated(int layer, int head) {
        return ablatedHeads.contains(new Head(layer, head));
    }

    public boolean any() {
        return !equals(NONE);
    }
}
