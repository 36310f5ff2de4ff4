package dev.attnstudio.app.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.Op;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code manifest.json} says about a trace bundle: enough to load every file without guessing, to label it
 * without the model (token strings, the vocabulary), to check it came from the weights one has (their SHA-256), and
 * to replay the run (model, inputs, padding, sampling settings and seed). Keys are written in snake_case; file paths
 * are relative to the manifest's folder (or the .npz archive's root) and use '/'.
 *
 * <p>A trace reads a batch of B rows (one per prompt); {@code rows} describes each. The sequence fields
 * ({@code prompt}, {@code token_ids}, {@code token_strings}) follow batch row 0, the only row a decoder
 * generates from.
 *
 * @param prompt       row 0's prompt text, or null when ids were given
 * @param promptLength positions of the first pass (T, padding included; encoder-decoders: the source's S)
 * @param tokenIds     row 0's whole sequence: prompt, then every generated token (encoder-decoders: the source)
 * @param tokenStrings the tokens as text, or null when the model has no tokenizer
 * @param decoderTokenIds     (encoder-decoders) row 0's decoder sequence: the decoder input (from the start token),
 *                            then every generated token; left out for other models
 * @param decoderTokenStrings (encoder-decoders) the same as text
 * @param padding      how shorter rows were padded (recorded even when no row needed it)
 * @param rows         every row of the first pass
 * @param interventions what --intervene and --mask-bug applied, in order (empty: the model as it is)
 * @param vocabulary    the entry holding every token of the vocabulary as text, a JSON array indexed by id
 *                      ({@link #VOCABULARY_FILE}), or null when the model has no tokenizer
 * @param weights       the SHA-256 of each weight file the model was read from
 * @param tokenizer     the entry holding the model's tokenizer.json as it was read ({@link #TOKENIZER_FILE}), or
 *                      null when the model has none
 */
public record Manifest(int formatVersion, String tool, String created, Model model, String device, String capture,
                String hooks, String prompt, int promptLength, long[] tokenIds, List<String> tokenStrings,
                @JsonInclude(JsonInclude.Include.NON_NULL) long[] decoderTokenIds,
                @JsonInclude(JsonInclude.Include.NON_NULL) List<String> decoderTokenStrings,
                Padding padding, List<Row> rows, Sampling sampling, List<Applied> interventions, List<Group> groups,
                @JsonInclude(JsonInclude.Include.NON_NULL) String vocabulary, Weights weights,
                @JsonInclude(JsonInclude.Include.NON_NULL) String tokenizer) {

    /**
     * 2 added the model's config.json and tokenizer.json, its capabilities, the step list of each pass, the vocabulary
     * and the weights' hashes.
     */
    public static final int FORMAT_VERSION = 2;
    public static final String FILE_NAME = "manifest.json";
    public static final String VOCABULARY_FILE = "vocabulary.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";

    /**
     * @param source       "sample" (bundled), "folder" (Hugging Face) or "onnx" (an exported encoder)
     * @param path         the folder or .onnx file, or null for a sample
     * @param architecture "gpt2", "llama" (decoders), "bert" (encoder) or "t5" (encoder-decoder)
     * @param outputHook   the hook holding the model's output: logits, or an encoder's last hidden state
     * @param configJson   the model's config.json as it was read (its own keys), or null (a generated sample, an
     *                     ONNX file)
     * @param capabilities what the model can do and how its attention is laid out, as the views ask it: recorded so
     *                     a bundle opens without the model
     */
    public record Model(String name, String source, String path, String architecture, String outputHook, Config config,
                        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode configJson, Capabilities capabilities) {
    }

    /**
     * SHA-256 of the weights, streamed over each file; for a generated sample, its seed instead.
     *
     * @param files     every weight file, by name (a sample's: its resource name)
     * @param generated how a generated sample's weights came about ("seed 7, std 0.02"), else null
     */
    public record Weights(List<WeightFile> files, @JsonInclude(JsonInclude.Include.NON_NULL) String generated) {
    }

    public record WeightFile(String name, long bytes, String sha256) {
    }

    /**
     * One step of a pass's program, as the step list shows it.
     *
     * @param unit  the block part it belongs to ("embed", "blocks.0.attn", ...)
     * @param kind  what it computes (the engine's {@code Op.Kind}: EMBED, QK_RAW, SOFTMAX, ...)
     * @param math  its formula
     * @param site  stack, layer and sub-layer
     * @param norm  LAYER_NORM or RMS_NORM for a norm step, else null
     * @param scale the factor of a scale step, else null
     */
    public record Step(String name, String unit, Op.Kind kind, String math, Op.Site site,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Op.NormType norm,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Float scale) {

        /** The step list entry of a program's op. */
        public static Step of(Op op) {
            return new Step(op.name(), op.group(), op.kind(), op.math(), op.site(), op.norm(),
                    Float.isNaN(op.scale()) ? null : op.scale());
        }
    }

    /**
     * The model's geometry. The family-specific fields are left out of the JSON for other families.
     *
     * @param nLayer          blocks (T5: the encoder's)
     * @param nKvHeads        key/value heads: n_head, or fewer under grouped-query attention (LLaMA)
     * @param dHead           width of one head (T5: d_kv)
     * @param typeVocabSize   rows of the segment embedding; 0 for a decoder
     * @param ropeTheta       (LLaMA) base of the rotary position frequencies
     * @param tiedEmbeddings  (LLaMA, T5) whether the unembedding is the token embedding
     * @param t5              (T5) what only an encoder-decoder has, named as in a Hugging Face T5 config.json: d_kv,
     *                        num_decoder_layers, relative_attention_num_buckets, relative_attention_max_distance,
     *                        feed_forward ("relu" or "gated-gelu"), decoder_start_token_id
     */
    public record Config(int nLayer, int nHead, int nKvHeads, int dModel, int dHead, int dMlp, int nPositions, int vocabSize,
                  int typeVocabSize, double layerNormEps, String activation,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Double ropeTheta,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Boolean tiedEmbeddings,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> t5) {

        @SuppressWarnings("unchecked")
        public static Config of(ModelConfig c) {
            Map<String, Object> family = c.familySettings();
            return new Config(c.nLayer(), c.nHead(), c.nKvHeads(), c.dModel(), c.dHead(), c.dMlp(), c.nPositions(),
                    c.vocabSize(), c.typeVocabSize(), c.layerNormEps(), c.activation().name().toLowerCase(Locale.ROOT),
                    (Double) family.get("rope_theta"), (Boolean) family.get("tie_word_embeddings"),
                    (Map<String, Object>) family.get("t5"));
        }
    }

    /** @param side "right" or "left"; {@code padId} fills padding positions, which the attention mask hides */
    public record Padding(String side, long padId) {
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
    public record Row(int index, String prompt, String pair, int length, long[] tokenIds, List<String> tokenStrings,
               long[] tokenTypeIds, long[] attentionMask) {
    }

    /** @param generate tokens asked for; temperature 0 means greedy and the other settings are unused */
    public record Sampling(int generate, boolean greedy, double temperature, int topK, double topP, long seed) {
    }

    /**
     * One pass of the model.
     *
     * @param kind      "prefill" for the prompt, "decode" for a generated token read over the KV cache
     * @param folder    where its files are, relative to the manifest ("." for the prompt's pass)
     * @param past      positions already in the KV cache before this pass
     * @param ids        the token ids batch row 0 reads in this pass (all rows: input_ids.npy, and rows); an
     *                   encoder-decoder's source
     * @param decoderIds (encoder-decoders) the decoder token ids row 0 reads in this pass (all rows:
     *                   decoder_input_ids.npy); left out for other models
     * @param generated  the token sampled from this pass's last logits, or null (the last pass, or an encoder)
     * @param steps      every step of the pass's program in order (written or not): the step list
     */
    public record Group(int index, String kind, String folder, int past, long[] ids, List<String> tokenStrings,
                 @JsonInclude(JsonInclude.Include.NON_NULL) long[] decoderIds,
                 @JsonInclude(JsonInclude.Include.NON_NULL) List<String> decoderTokenStrings,
                 Generated generated, List<FileEntry> files, List<Step> steps) {
    }

    public record Generated(long token, String string, double probability) {
    }

    /**
     * @param hook      the hook name, or for the pass's inputs (int64 [B, T]) "input_ids", "token_type_ids",
     *                  "attention_mask" or (encoder-decoders) "decoder_input_ids"
     * @param patchedBy the labels of the interventions that replaced this hook's value; left out when none did
     */
    public record FileEntry(String hook, String file, long[] shape, String dtype,
                     @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> patchedBy) {
    }

    /** One intervention of the run: its command-line form and its label. */
    public record Applied(String spec, String label) {
    }

    /** The JSON mapper for manifests: snake_case keys, indented; unknown keys are ignored when reading. */
    public static ObjectMapper mapper() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }
}
