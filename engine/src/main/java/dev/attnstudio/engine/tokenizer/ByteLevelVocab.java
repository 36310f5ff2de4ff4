package dev.attnstudio.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A byte-level tokenizer in Hugging Face {@code tokenizer.json} form: 256 tokens, one per byte, spelled with
 * GPT-2's byte-to-printable-character table and no merges. Any text round-trips. Used by the small models the
 * project makes itself.
 */
public final class ByteLevelVocab {

    private ByteLevelVocab() {
    }

    /** The printable character GPT-2's byte-level BPE uses for each byte value. */
    public static char[] byteToChar() {
        char[] table = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = 0; b < 256; b++) {
            direct[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            table[b] = direct[b] ? (char) b : (char) (256 + next++);
        }
        return table;
    }

    /** The tokenizer.json text; token id = byte value. */
    public static String tokenizerJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(json));
        root.putNull("post_processor");
        root.set("decoder", byteLevel(json));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] table = byteToChar();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(table[b]), b);
        }
        model.putArray("merges");
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode byteLevel(ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", true);
        n.put("use_regex", true);
        return n;
    }
}
