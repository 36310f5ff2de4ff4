package dev.attnstudio.app.export;

import dev.attnstudio.app.heatmap.Heatmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an exported picture shows, printed under it so a figure still says where it came from once it is
 * pasted into a paper: model, prompt (a batch's prompts one per line in {@code prompt}, each printed on its own),
 * layer, head, stage (the hook) and colour scale. Empty fields are left out.
 */
public record Caption(String model, String prompt, String layer, String head, String stage, String colourScale) {

    private static final int MAX_PROMPT = 160;
    /** Prompts of a batch printed one per line, up to this many. */
    private static final int MAX_PROMPTS = 8;
    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)blocks\\.(\\d+)\\.");

    public Caption {
        model = model == null ? "" : model;
        prompt = prompt == null ? "" : prompt;
        layer = layer == null ? "" : layer;
        head = head == null ? "" : head;
        stage = stage == null ? "" : stage;
        colourScale = colourScale == null ? "" : colourScale;
    }

    public static Caption of(String model, String prompt) {
        return new Caption(model, prompt, "", "", "", "");
    }

    /**
     * The caption of one head's map: the layer comes from the hook name, the head from the map, the colour
     * scale from the map's range.
     */
    public static Caption forHeatmap(String model, String prompt, Heatmap map) {
        Matcher m = LAYER.matcher(map.name());
        return new Caption(model, prompt, m.find() ? m.group(1) : "", map.heads() > 0 ? String.valueOf(map.head()) : "",
                map.name(), describe(map));
    }

    /** The colour scale of a map in words: "sequential (Blues), 0 .. 1" or "diverging (RdBu), -2.3 .. 2.3". */
    public static String describe(Heatmap map) {
        return String.format(Locale.ROOT, "%s, linear, %.4g .. %.4g%s", map.diverging() ? "diverging (RdBu)" : "sequential (Blues)",
                map.low(), map.high(), map.masked() > 0 ? "; hatched = masked (-inf)" : "");
    }

    public Caption withLayer(int l) {
        return withLayer(String.valueOf(l));
    }

    /** The layer in words, e.g. "all (0–11)". */
    public Caption withLayer(String l) {
        return new Caption(model, prompt, l, head, stage, colourScale);
    }

    public Caption withHead(int h) {
        return withHead(String.valueOf(h));
    }

    /** The head in words, e.g. "all (0–11)". */
    public Caption withHead(String h) {
        return new Caption(model, prompt, layer, h, stage, colourScale);
    }

    public Caption withStage(String s) {
        return new Caption(model, prompt, layer, head, s, colourScale);
    }

    public Caption withColourScale(String c) {
        return new Caption(model, prompt, layer, head, stage, c);
    }

    /** The caption as printed: one line per kind of fact, empty ones skipped. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        if (!model.isEmpty()) {
            lines.add("model: " + model);
        }
        List<String> prompts = prompt.isEmpty() ? List.of() : List.of(prompt.split("\n"));
        if (prompts.size() == 1) {
            lines.add("prompt: " + quote(prompts.get(0)));
        } else {
            for (int i = 0; i < Math.min(prompts.size(), MAX_PROMPTS); i++) {
                lines.add("prompt " + (i + 1) + " of " + prompts.size() + ": " + quote(prompts.get(i)));
            }
            if (prompts.size() > MAX_PROMPTS) {
                lines.add("\u2026 and " + (prompts.size() - MAX_PROMPTS) + " more prompts");
            }
        }
        List<String> where = new ArrayList<>();
        if (!layer.isEmpty()) {
            where.add("layer " + layer);
        }
        if (!head.isEmpty()) {
            where.add("head " + head);
        }
        if (!stage.isEmpty()) {
            where.add("stage " + stage);
        }
        if (!where.isEmpty()) {
            lines.add(String.join("  \u00b7  ", where));
        }
        if (!colourScale.isEmpty()) {
            lines.add("colour scale: " + colourScale);
        }
        return lines;
    }

    private static String quote(String p) {
        return "\u201c" + (p.length() <= MAX_PROMPT ? p : p.substring(0, MAX_PROMPT - 1) + "\u2026") + "\u201d";
    }
}
