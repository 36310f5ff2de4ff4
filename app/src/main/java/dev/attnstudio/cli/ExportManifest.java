package dev.attnstudio.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.attnstudio.app.bundle.Manifest;

import java.util.List;

/**
 * What {@code attn-studio export} writes into {@code manifest.json} (snake_case keys, like a trace's manifest): the
 * model, the prompts with their tokens, what was selected, the interventions, and every file with the hook, layer,
 * head and prompt it holds. Paths are relative to the manifest's folder. The manifest is written last.
 *
 * @param format  png, svg, npy or json
 * @param stages  the stage names asked for (pattern, scores, ...)
 */
record ExportManifest(int formatVersion, String tool, String created, Manifest.Model model, String device,
                      String format, List<Integer> layers, List<Integer> heads, List<String> stages,
                      List<Prompt> prompts, List<Manifest.Applied> interventions, List<FileEntry> files) {

    static final int FORMAT_VERSION = 1;

    /** @param text the prompt, or null when ids were given */
    record Prompt(int index, String text, long[] tokenIds, List<String> tokenStrings) {
    }

    /**
     * One written file.
     *
     * @param shape  of the values: [T, K] (query positions, key positions)
     * @param width  a png's size in pixels (left out for other formats)
     */
    record FileEntry(String hook, String stage, int layer, int head, int prompt, String file, long[] shape,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Integer width,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Integer height) {
    }
}
