package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.diagnose.AttentionLayer;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.model.Capabilities;

import java.util.ArrayList;
import java.util.List;

/**
 * Which attention sub-layer a lesson means by {@code stack} and {@code layer}, and whether a layer or head exists in
 * the model: {@code self} for a single-stack model, {@code encoder}, {@code decoder} (self-attention) or {@code cross}
 * for an encoder-decoder, whose default is {@code decoder}.
 */
public final class Sites {

    /** Every stack name a lesson may write. */
    public static final List<String> NAMES = List.of("self", "encoder", "decoder", "cross");

    private Sites() {
    }

    /**
     * The site a stack name stands for in this model.
     *
     * @param stack the name, or null for the model's default
     * @throws ProbeException naming {@code stack} when the model has no such site
     */
    public static Capabilities.Site site(Capabilities c, String stack, String model) {
        List<Capabilities.Site> sites = c.sites();
        String wanted = stack == null ? (c.readsSource() ? "decoder" : "self") : stack;
        for (Capabilities.Site s : sites) {
            if (AttentionLayer.label(s).equals(wanted)) {
                return s;
            }
        }
        throw new ProbeException("stack", "\"" + wanted + "\" is not an attention site of " + model + "; it has "
                + String.join(", ", sites.stream().map(AttentionLayer::label).toList()));
    }

    /**
     * The sub-layer, checking the layer against the stack's depth.
     *
     * @throws ProbeException naming {@code layer} or {@code stack}
     */
    public static AttentionLayer layer(Capabilities c, String stack, int layer, String model) {
        Capabilities.Site site = site(c, stack, model);
        int layers = site.stack().layers();
        if (layer < 0 || layer >= layers) {
            throw new ProbeException("layer", "layer " + layer + " is out of range: " + model + " has " + layers
                    + " layers" + (c.readsSource() ? " in its " + AttentionLayer.label(site) + " stack" : "")
                    + " (0-" + (layers - 1) + ")");
        }
        return new AttentionLayer(site, layer);
    }

    /** @throws ProbeException naming {@code head} when the model has no such head */
    public static void checkHead(Capabilities c, int head, String model) {
        if (head < 0 || head >= c.heads()) {
            throw new ProbeException("head", "head " + head + " is out of range: " + model + " has " + c.heads()
                    + " heads per layer (0-" + (c.heads() - 1) + ")");
        }
    }

    /**
     * Checks a full hook name against the model: it must parse, and its layer and stack must exist.
     *
     * @param param the parameter to blame
     * @throws ProbeException naming {@code param}
     */
    public static void checkHook(Capabilities c, String hook, String model, String param) {
        HookName.Parsed parsed;
        try {
            parsed = HookName.parse(hook);
        } catch (IllegalArgumentException e) {
            throw new ProbeException(param, e.getMessage());
        }
        boolean twoStacks = c.readsSource();
        if (twoStacks != (parsed.stack() != null) && !hook.equals(HookName.Model.LOGITS.id)) {
            throw new ProbeException(param, "'" + hook + "' is not a hook of " + model + (twoStacks
                    ? ": an encoder-decoder's hooks start with encoder. or decoder."
                    : ": only encoder-decoders have encoder. and decoder. hooks"));
        }
        if (parsed.inBlock()) {
            int layers = layersOf(c, parsed.stack());
            if (parsed.layer() >= layers) {
                throw new ProbeException(param, "'" + hook + "': layer " + parsed.layer() + " is out of range: " + model
                        + " has " + layers + " layers (0-" + (layers - 1) + ")");
            }
        }
    }

    private static int layersOf(Capabilities c, HookName.Stack stack) {
        for (Capabilities.Stack s : c.stacks()) {
            if (s.id() == stack) {
                return s.layers();
            }
        }
        return c.maxLayers();
    }

    /** Head ids {@code L.H} of one layer, or of every layer when {@code layer} is null. */
    public static List<String> headIds(Capabilities c, String stack, Integer layer, String model) {
        Capabilities.Site site = site(c, stack, model);
        List<String> ids = new ArrayList<>();
        int from = layer == null ? 0 : layer(c, stack, layer, model).layer();
        int to = layer == null ? site.stack().layers() : from + 1;
        for (int l = from; l < to; l++) {
            for (int h = 0; h < c.heads(); h++) {
                ids.add(l + "." + h);
            }
        }
        return ids;
    }
}
