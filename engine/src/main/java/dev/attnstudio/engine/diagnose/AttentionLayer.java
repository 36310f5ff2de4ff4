package dev.attnstudio.engine.diagnose;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;

import java.util.ArrayList;
import java.util.List;

/**
 * One attention sub-layer of a model: a site (self-attention of a stack, or a decoder's cross-attention) in one layer.
 * The unit every diagnostic reports per, with a short label for people and reports: {@code self} for a single-stack
 * model, {@code encoder}, {@code decoder} and {@code cross} for an encoder-decoder.
 *
 * @param site  the attention site
 * @param layer the block
 */
public record AttentionLayer(Capabilities.Site site, int layer) {

    /** Every attention sub-layer of a model, site by site in the order of {@link Capabilities#sites()}, layers in order. */
    public static List<AttentionLayer> all(Capabilities c) {
        List<AttentionLayer> out = new ArrayList<>();
        for (Capabilities.Site s : c.sites()) {
            for (int l = 0; l < s.stack().layers(); l++) {
                out.add(new AttentionLayer(s, l));
            }
        }
        return out;
    }

    /** The site's label: {@code self}, {@code encoder}, {@code decoder} or {@code cross}. */
    public static String label(Capabilities.Site site) {
        if (site.cross()) {
            return "cross";
        }
        HookName.Stack id = site.stack().id();
        return id == null ? "self" : id.prefix;
    }

    /** This sub-layer's site label. */
    public String siteLabel() {
        return label(site);
    }

    /** The full name of one of its hooks: {@code blocks.1.attn.hook_pattern}, {@code decoder.blocks.0.cross_attn.hook_z}. */
    public String hook(HookName.Block block) {
        return site.hook(block, layer);
    }

    /** {@code L1} or {@code cross L1}: for messages. */
    public String name() {
        String s = siteLabel();
        return s.equals("self") ? "L" + layer : s + " L" + layer;
    }
}
