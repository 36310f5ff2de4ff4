package dev.attnstudio.engine.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.attnstudio.engine.io.ModelFormatException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@code tokenizer.json} in Java before the native tokenizer sees it, and hands on a canonical copy.
 *
 * <p>Why: DJL's Hugging Face tokenizer is Rust behind JNI, and some malformed files make its deserializer panic, which
 * aborts the whole JVM (a truncated {@code decoder} did, found by the fuzz corpus: "panicked at
 * tokenizers-0.21.4/src/decoders/mod.rs ... fatal runtime error: failed to initiate panic"). So the native side only
 * ever gets text that Jackson parsed within fixed bounds and wrote out again, whose parts have the types the
 * tokenizers library reads: a {@code model} of a known kind with a vocabulary of non-negative ids, added tokens with
 * ids and contents, and normalizer, pre-tokenizer, post-processor and decoder objects of known types whose flags are
 * booleans and whose texts are texts. What fails is a {@link ModelFormatException} naming the file and the place.
 */
final class TokenizerJson {

    /**
     * Deepest nesting accepted. A real tokenizer.json nests about 6 deep (a Sequence of pre-tokenizers holding a
     * Split with a pattern object); 64 leaves room and stops stack-exhausting input (10^5 brackets) early.
     */
    static final int MAX_NESTING_DEPTH = 64;
    /**
     * Longest single string: a token, a regex pattern or a merge is a few hundred characters at most; 1 MiB leaves
     * room and refuses a multi-megabyte string before it is kept.
     */
    static final int MAX_STRING_LENGTH = 1 << 20;
    /** Largest file: the biggest published tokenizer.json files are tens of MiB (250k-token vocabularies). */
    static final long MAX_DOCUMENT_LENGTH = 256L << 20;

    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Set<String> MODELS = Set.of("BPE", "WordPiece", "WordLevel", "Unigram");
    /** Component types the tokenizers library (0.21) knows, by section. */
    private static final Map<String, Set<String>> TYPES = Map.of(
            "normalizer", Set.of("BertNormalizer", "Strip", "StripAccents", "NFC", "NFD", "NFKC", "NFKD", "Sequence",
                    "Lowercase", "Nmt", "Precompiled", "Replace", "Prepend", "ByteLevel"),
            "pre_tokenizer", Set.of("BertPreTokenizer", "ByteLevel", "Delimiter", "Metaspace", "Whitespace", "Sequence",
                    "Split", "Punctuation", "WhitespaceSplit", "Digits", "UnicodeScripts", "FixedLength"),
            "post_processor", Set.of("RobertaProcessing", "BertProcessing", "ByteLevel", "TemplateProcessing",
                    "Sequence"),
            "decoder", Set.of("BPEDecoder", "ByteLevel", "WordPiece", "Metaspace", "CTC", "Sequence", "Replace", "Fuse",
                    "Strip", "ByteFallback"));
    /** Where a Sequence keeps its parts, by section. */
    private static final Map<String, String> SEQUENCE_FIELD = Map.of("normalizer", "normalizers",
            "pre_tokenizer", "pretokenizers", "post_processor", "processors", "decoder", "decoders");
    private static final Set<String> BOOLEANS = Set.of("add_prefix_space", "trim_offsets", "use_regex", "lowercase",
            "strip_accents", "clean_text", "handle_chinese_chars", "split", "individual_digits", "invert", "fuse_unk",
            "byte_fallback", "ignore_merges", "cleanup", "left", "right", "single_word", "lstrip", "rstrip",
            "normalized", "special");
    private static final Set<String> STRINGS = Set.of("type", "replacement", "prepend_scheme", "suffix", "prefix",
            "pad_token", "word_delimiter_token", "content", "unk_token", "continuing_subword_prefix",
            "end_of_word_suffix", "behavior", "delimiter", "prepend", "precompiled_charsmap");

    private TokenizerJson() {
    }

    /**
     * Parses and checks the text; returns it written out again by Jackson (so the native side never parses
     * anything Jackson did not).
     *
     * @throws ModelFormatException naming the file and what is wrong
     */
    static String check(String text, Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, "tokenizer is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"), e);
        }
        if (root == null || !root.isObject()) {
            throw problem(file, "", "the file should hold a JSON object");
        }
        model(root.get("model"), file);
        JsonNode added = root.get("added_tokens");
        if (added != null && !added.isNull()) {
            if (!added.isArray()) {
                throw problem(file, "added_tokens", "should be a list");
            }
            for (int i = 0; i < added.size(); i++) {
                JsonNode t = added.get(i);
                String where = "added_tokens[" + i + "]";
                if (!t.isObject() || !isId(t.get("id")) || !t.path("content").isTextual()) {
                    throw problem(file, where, "should be an object with an \"id\" (a whole number of 0 or more) and a"
                            + " \"content\" text");
                }
                fieldTypes(t, file, where);
            }
        }
        for (String section : TYPES.keySet()) {
            component(root.get(section), section, section, file);
        }
        for (String optional : new String[] {"truncation", "padding"}) {
            JsonNode n = root.get(optional);
            if (n != null && !n.isNull()) {
                if (!n.isObject()) {
                    throw problem(file, optional, "should be null or an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isNumber() && !isId(e.getValue())) {
                        throw problem(file, optional + "." + e.getKey(), "should be a whole number of 0 or more");
                    }
                }
            }
        }
        return root.toString();
    }

    private static void model(JsonNode model, Path file) {
        if (model == null || !model.isObject()) {
            throw problem(file, "model", "is missing or not an object (it holds the vocabulary)");
        }
        JsonNode type = model.get("type");
        if (type != null && !(type.isTextual() && MODELS.contains(type.textValue()))) {
            throw problem(file, "model.type", "is " + show(type) + "; supported: " + String.join(", ",
                    MODELS.stream().sorted().toList()));
        }
        fieldTypes(model, file, "model");
        JsonNode vocab = model.get("vocab");
        if (vocab == null) {
            throw problem(file, "model.vocab", "is missing");
        }
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!isId(e.getValue())) {
                    throw problem(file, "model.vocab", "gives token " + show(e.getKey()) + " the id "
                            + show(e.getValue()) + "; ids are whole numbers of 0 or more");
                }
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                JsonNode p = vocab.get(i);
                if (!p.isArray() || p.size() != 2 || !p.get(0).isTextual() || !p.get(1).isNumber()) {
                    throw problem(file, "model.vocab[" + i + "]", "should be a [piece, score] pair");
                }
            }
        } else {
            throw problem(file, "model.vocab", "should be an object of token ids (or a Unigram list), not "
                    + show(vocab));
        }
        JsonNode merges = model.get("merges");
        if (merges != null && !merges.isNull()) {
            if (!merges.isArray()) {
                throw problem(file, "model.merges", "should be a list");
            }
            for (int i = 0; i < merges.size(); i++) {
                JsonNode m = merges.get(i);
                boolean pair = m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual();
                if (!m.isTextual() && !pair) {
                    throw problem(file, "model.merges[" + i + "]", "should be \"a b\" or [\"a\", \"b\"]");
                }
            }
        }
    }

    /** A normalizer, pre-tokenizer, post-processor or decoder: null, or an object of a known type. */
    private static void component(JsonNode n, String section, String where, Path file) {
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isObject()) {
            throw problem(file, where, "should be null or an object with a \"type\"");
        }
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual() || !TYPES.get(section).contains(type.textValue())) {
            throw problem(file, where + ".type", "is " + show(type) + ", not a known " + section.replace('_', '-')
                    + " type");
        }
        fieldTypes(n, file, where);
        if (type.textValue().equals("Sequence")) {
            String parts = SEQUENCE_FIELD.get(section);
            JsonNode list = n.get(parts);
            if (list == null || !list.isArray()) {
                throw problem(file, where + "." + parts, "should be a list");
            }
            for (int i = 0; i < list.size(); i++) {
                component(list.get(i), section, where + "." + parts + "[" + i + "]", file);
            }
        }
    }

    /** Flags must be booleans and names texts, wherever they appear in an object. */
    private static void fieldTypes(JsonNode object, Path file, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (BOOLEANS.contains(e.getKey()) && !v.isBoolean() && !v.isNull()) {
                throw problem(file, where + "." + e.getKey(), "should be true or false, not " + show(v));
            }
            if (STRINGS.contains(e.getKey()) && !v.isTextual() && !v.isNull()) {
                throw problem(file, where + "." + e.getKey(), "should be a text, not " + show(v));
            }
        }
    }

    private static boolean isId(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 0;
    }

    private static String show(Object v) {
        String s = v == null ? "missing" : v instanceof JsonNode n && n.isTextual() ? "\"" + n.textValue() + "\""
                : v instanceof String t ? "\"" + t + "\"" : String.valueOf(v);
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static ModelFormatException problem(Path file, String where, String what) {
        return new ModelFormatException(file, "tokenizer " + (where.isEmpty() ? "" : where + " ") + what);
    }
}
