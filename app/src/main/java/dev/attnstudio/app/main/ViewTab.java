package dev.attnstudio.app.main;

import javafx.scene.input.KeyCode;

/**
 * The views in the centre of the window, one tab each, in tab order. Each is reached with Alt+its number
 * (Alt+0 for the tenth).
 */
public enum ViewTab {
    ATTENTION_GRID("Attention grid", "Every layer \u00d7 head of the pass as a thumbnail"),
    HEAD("Head", "One head enlarged, with token labels on both axes; hover a cell for its value"),
    HEAD_VIEW("Head view", "Lines between query and key tokens, thickness = attention weight"),
    STAGES("Stages", "One head through QK\u1d40 \u2192 scaled \u2192 masked \u2192 softmax, with one colour legend per stage"),
    MASK("Mask", "The mask actually applied: causal and padding parts, -inf cells apart from near-zero weights"),
    KV_CACHE("KV cache", "Cache bytes per layer and step, prefill and decode time, the cached K/V of one head"),
    ENTROPY("Entropy", "Mean normalized entropy of every layer \u00d7 head, and its evolution across generated tokens"),
    GENERATION("Generation", "Next-token probabilities and sampling controls; generate one token at a time"),
    PIPELINE("Pipeline", "The model drawn as its blocks and sub-layers, the current step highlighted"),
    INSPECTOR("Inspector", "The tensor of the current step: shape, statistics, histogram and values");

    public final String title;
    public final String help;

    ViewTab(String title, String help) {
        this.title = title;
        this.help = help;
    }

    /** Node id of the tab's content holder: {@code attentionGridTab}, {@code headTab}, ... */
    public String id() {
        String[] words = title.toLowerCase(java.util.Locale.ROOT).split(" ");
        StringBuilder id = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            id.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return id.append("Tab").toString();
    }

    /** The digit key that selects it with Alt: 1 to 9, then 0. */
    public KeyCode digit() {
        return KeyCode.valueOf("DIGIT" + ((ordinal() + 1) % 10));
    }
}
