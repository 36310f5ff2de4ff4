package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;

/**
 * What {@code manifest.json} says about a trace: enough to load every file without guessing, and to replay the
 * run (model, inputs, padding, sampling settings and seed). Keys are written in snake_case; file paths are
 * relative to the manifest's folder and use '/'.
 *
 * <p>A trace reads a batch of B rows (one per prompt); {@code rows} describes each. The sequence fields
 * ({@code prompt}, {@code token_ids}, {@code token_strings}) follow batch row 0, the only row a decoder
 * generates from.
 *
 * @param prompt       row 0's prompt text, or null when ids were given
 * @param promptLength positions of the first pass (T, padding included)
 * @param tokenIds     row 0's whole sequence: prompt, then every generated token
 * @param tokenStrings the tokens as text, or null when the model has no tokenizer
 * @param padding      how shorter rows were padded (recorded even when no row needed it)
 * @param rows         every row of the first pass
 */
record Manifest(int formatVersion, String tool, String created, Model model, String device, String capture,
                String hooks, String prompt, int promptLength, long[] tokenIds, List<String> tokenStrings,
                Padding padding, List<Row> rows, Sampling sampling, List<Group> groups) {

    static final int FORMAT_VERSION = 1;
    static final String FILE_NAME = "manifest.json";

    /**
     * @param source       "sample" (bundled), "folder" (Hugging Face) or "onnx" (an exported encoder)
     * @param path         the folder or .onnx file, or null for a sample
     * @param architecture "gpt2" (decoder) or "bert" (encoder)
     * @param outputHook   the hook holding the model's output: logits, or an encoder's last hidden state
     */
    record Model(String name, String source, String path, String architecture, String outputHook, Config config) {
    }

    /** @param typeVocabSize rows of the segment embedding; 0 for a decoder */
    record Config(int nLayer, int nHead, int dModel, int dHead, int dMlp, int nPositions, int vocabSize,
                  int typeVocabSize, double layerNormEps, String activation) {
    }

    /** @param side "right" or "left"; {@code padId} fills padding positions, which the attention mask hides */
    record Padding(String side, long padId) {
    }

    /**
     * One row of the batch, as the first pass reads it (padding included).
     *
     * @param prompt        the row's text, or null when ids were given
     * @param pair          the second segment read after the prompt, or null
     * @param length        real (unpadded) tokens in the row
     * @param tokenStrings  each id decoded, or null when the model has no tokenizer
     * @param tokenTypeIds  segment of each position: 0 for the prompt, 1 for the pair (padding: 0)
     * @param attentionMask 1 for a real token, 0 for padding
     */
    record Row(int index, String prompt, String pair, int length, long[] tokenIds, List<String> tokenStrings,
               long[] tokenTypeIds, long[] attentionMask) {
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
     * @param ids       the token ids batch row 0 reads in this pass (all rows: input_ids.npy, and rows)
     * @param generated the token sampled from this pass's last logits, or null (the last pass, or an encoder)
     */
    record Group(int index, String kind, String folder, int past, long[] ids, List<String> tokenStrings,
                 Generated generated, List<FileEntry> files) {
    }

    record Generated(long token, String string, double probability) {
    }

    /**
     * @param hook the hook name, or for the pass's inputs (int64 [B, T]) "input_ids", "token_type_ids" or
     *             "attention_mask"
     */
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
