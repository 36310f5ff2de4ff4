package dev.attnstudio.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.runtime.DjlRuntime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Text to token ids and back, from a Hugging Face {@code tokenizer.json} (DJL's bindings; no network). */
public final class Tokenizer implements AutoCloseable {

    /** A tokenized text: ids with their token strings and whether each is a special token. */
    public record Tokens(long[] ids, String[] strings, boolean[] special) {
        public int size() {
            return ids.length;
        }
    }

    private static final Map<String, String> OPTIONS =
            Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true");

    private final HuggingFaceTokenizer hf;
    private final Path file;

    private Tokenizer(HuggingFaceTokenizer hf, Path file) {
        this.hf = hf;
        this.file = file;
    }

    /**
     * Opens a tokenizer.json. Special tokens are added as the file's post-processor says (GPT-2's adds none).
     * Truncation and padding are off: the engine reports over-long prompts itself, with the model's limit.
     */
    public static Tokenizer open(Path tokenizerJson) {
        DjlRuntime.forceOffline();
        try {
            return new Tokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS), tokenizerJson);
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(tokenizerJson, "cannot read tokenizer: " + e.getMessage(), e);
        }
    }

    /** A tokenizer from tokenizer.json text (bundled samples); {@code label} names it in errors. */
    public static Tokenizer fromJson(String json, String label) {
        DjlRuntime.forceOffline();
        try (java.io.InputStream in = new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return new Tokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS), Path.of(label));
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(Path.of(label), "cannot read tokenizer: " + e.getMessage(), e);
        }
    }

    /** Where the tokenizer came from (a file, or the label of a bundled one). */
    public Path file() {
        return file;
    }

    public Tokens encode(String text) {
        Encoding e = hf.encode(text);
        long[] mask = e.getSpecialTokenMask();
        boolean[] special = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            special[i] = mask[i] != 0;
        }
        return new Tokens(e.getIds(), e.getTokens(), special);
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
