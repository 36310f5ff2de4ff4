package dev.attnstudio.lessons.format;

import java.util.List;

/**
 * Which view a page shows and what is selected in it. Null fields leave the app's current selection alone.
 *
 * @param view  a view id ({@link #VIEWS})
 * @param layer the selected layer
 * @param head  the selected head
 * @param row   the selected batch row
 * @param stack the attention stack of an encoder-decoder: {@code encoder}, {@code decoder} or {@code cross}
 * @param query the selected query (a row of the map)
 * @param hook  the step the cursor should stand on (Inspector, Pipeline), a full hook name
 */
public record ViewSelection(String view, Integer layer, Integer head, Integer row, String stack, Integer query,
                            String hook) {

    /** The app's view ids, in tab order. */
    public static final List<String> VIEWS = List.of("attention-grid", "head", "head-view", "stages", "mask",
            "kv-cache", "entropy", "generation", "pipeline", "inspector");
}
