package dev.attnstudio.app.export;

import dev.attnstudio.app.heatmap.Heatmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an exported picture shows, printed under it so a figure still says where it came from once it is
 * pasted into a paper: model, prompt, layer, head, stage (the hook) and colour scale. Empty fields are left
 * out.
 */
public record Caption(String model, String prompt, String layer, String head, String stage, String colourScale) {

    private static final int MAX_PROMPT = 160;
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
        return new Caption(model, prompt, String.valueOf(l), head, stage, colourScale);
    }

    public Caption withHead(int h) {
        return new Caption(model, prompt, layer, String.valueOf(h), stage, colourScale);
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
        if (!prompt.isEmpty()) {
            String p = prompt.length() <= MAX_PROMPT ? prompt : prompt.substring(0, MAX_PROMPT - 1) + "\u2026";
            lines.add("prompt: \u201c" + p.replace('\n', ' ') + "\u201d");
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
}
