package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;

/**
 * What {@code manifest.json} says about a trace: enough to load every file without guessing, and to replay the
 * run (model, token ids, sampling settings and seed). Keys are written in snake_case; file paths are relative
 * to the manifest's folder and use '/'.
 *
 * @param tokenIds     the whole sequence: prompt, then every generated token
 * @param tokenStrings the tokens as text, or null when the model has no tokenizer
 * @param prompt       the prompt text, or null when ids were given
 */
record Manifest(int formatVersion, String tool, String created, Model model, String device, String capture,
                String hooks, String prompt, int promptLength, long[] tokenIds, List<String> tokenStrings,
                Sampling sampling, List<Group> groups) {

    static final int FORMAT_VERSION = 1;
    static final String FILE_NAME = "manifest.json";

    /** @param source "sample" (bundled) or "folder"; {@code path} is the folder, or null for a sample */
    record Model(String name, String source, String path, String architecture, Config config) {
    }

    record Config(int nLayer, int nHead, int dModel, int dHead, int nPositions, int vocabSize, double layerNormEps,
                  String activation) {
    }

    /** @param generate tokens asked for; temperature 0 means greedy and the other settings are unused */
    record Sampling(int generate, boolean greedy, double temperature, int topK, double topP, long seed) {
    }

    /**
     * One pass of the model.
     *
     * @param kind      "prefill" for the prompt, "decode" for a generated token read over the KV cache
     * @param folder    where its files are, relative to the manifest ("." for the prompt's pass)
     * @param past      positions already in the KV cache before this pass
     * @param ids       the token ids this pass reads
     * @param generated the token sampled from this pass's last logits, or null (the last pass)
     */
    record Group(int index, String kind, String folder, int past, long[] ids, List<String> tokenStrings,
                 Generated generated, List<FileEntry> files) {
    }

    record Generated(long token, String string, double probability) {
    }

    /** @param hook the hook name, or "input_ids" for the pass's token ids */
    record FileEntry(String hook, String file, long[] shape, String dtype) {
    }

    /** The JSON mapper for manifests: snake_case keys, indented. */
    static ObjectMapper mapper() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }
}
