package dev.attnstudio.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.runtime.DjlRuntime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Text to token ids and back, from a Hugging Face {@code tokenizer.json} (DJL's bindings; no network). */
public final class Tokenizer implements AutoCloseable {

    /**
     * A tokenized text: ids with their token strings, whether each is a special token, and its token type
     * (segment: 0 for the first text, 1 for the second of a pair).
     */
    public record Tokens(long[] ids, String[] strings, boolean[] special, long[] typeIds) {
        public int size() {
            return ids.length;
        }
    }

    private static final Map<String, String> OPTIONS =
            Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true");

    private final HuggingFaceTokenizer hf;
    private final Path file;
    private final long maxTokenId;

    private Tokenizer(HuggingFaceTokenizer hf, Path file, String json) {
        this.hf = hf;
        this.file = file;
        this.maxTokenId = maxId(json, file);
    }

    /** The highest id in the tokenizer.json's vocabulary (object or Unigram list) and added tokens. */
    private static long maxId(String json, Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            long max = -1;
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) {
                for (JsonNode id : vocab) {
                    max = Math.max(max, id.asLong());
                }
            } else if (vocab.isArray()) {
                max = vocab.size() - 1;
            }
            for (JsonNode added : root.path("added_tokens")) {
                max = Math.max(max, added.path("id").asLong());
            }
            return max;
        } catch (IOException e) {
            throw new ModelFormatException(file, "tokenizer is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a tokenizer.json. Special tokens are added as the file's post-processor says (GPT-2's adds none).
     * Truncation and padding are off: the engine reports over-long prompts itself, with the model's limit.
     *
     * <p>The file is checked in Java first ({@link TokenizerJson}): strict UTF-8, bounded JSON, parts of the types
     * the native tokenizer reads. Only then does the native side see it, so a malformed file is a
     * {@link ModelFormatException}, never a native abort.
     */
    public static Tokenizer open(Path tokenizerJson) {
        String text;
        try {
            long size = Files.size(tokenizerJson);
            if (size > TokenizerJson.MAX_DOCUMENT_LENGTH) {
                throw new ModelFormatException(tokenizerJson, "tokenizer is " + size + " bytes, more than the "
                        + TokenizerJson.MAX_DOCUMENT_LENGTH + " a tokenizer.json may have");
            }
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(tokenizerJson)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(tokenizerJson, "tokenizer is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ModelFormatException(tokenizerJson, "cannot read tokenizer: " + e.getMessage(), e);
        }
        return fromChecked(text, tokenizerJson);
    }

    /** A tokenizer from tokenizer.json text (bundled samples); {@code label} names it in errors. */
    public static Tokenizer fromJson(String json, String label) {
        return fromChecked(json, Path.of(label));
    }

    private static Tokenizer fromChecked(String json, Path file) {
        String canonical = TokenizerJson.check(json, file);
        DjlRuntime.forceOffline();
        try (InputStream in = new ByteArrayInputStream(canonical.getBytes(StandardCharsets.UTF_8))) {
            return new Tokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS), file, canonical);
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(file, "cannot read tokenizer: " + e.getMessage(), e);
        }
    }

    /** Where the tokenizer came from (a file, or the label of a bundled one). */
    public Path file() {
        return file;
    }

    public Tokens encode(String text) {
        return tokens(hf.encode(text));
    }

    /** A sentence pair, as BERT reads it: [CLS] a [SEP] b [SEP], with token types 0 for a and 1 for b. */
    public Tokens encodePair(String a, String b) {
        return tokens(hf.encode(a, b));
    }

    /** The largest token id the tokenizer can produce (its vocabulary and added tokens). */
    public long maxTokenId() {
        return maxTokenId;
    }

    private Tokens tokens(Encoding e) {
        long[] mask = e.getSpecialTokenMask();
        boolean[] special = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            special[i] = mask[i] != 0;
        }
        return new Tokens(e.getIds(), e.getTokens(), special, e.getTypeIds());
    }

    /** The text of one token id, as it would print. */
    public String decode(long id) {
        return hf.decode(new long[] {id}, false);
    }

    public String decode(long[] ids) {
        return hf.decode(ids, false);
    }

    @Override
    public void close() {
        hf.close();
    }
}
