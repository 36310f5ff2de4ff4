package dev.attnstudio.samples.train;

import dev.attnstudio.engine.train.NextTokenBatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The text a tiny language model learns from, as bytes (token id = byte value, the byte-level tokenizer's own
 * mapping), split once and deterministically: the last {@value #HELD_OUT_PERCENT}% is held out, starting at the first
 * line that begins at or after that point, so no line is cut in two. Nothing in the text is stripped or normalized.
 *
 * <p>Training reads windows at uniformly random offsets in the first part. Validation reads a fixed slice from the
 * start of the held-out part ({@link #validationSlice}), cut into consecutive windows that share one byte
 * ({@link #windows}), so every byte of the slice after the first is predicted exactly once, with 0..L-2 bytes of
 * context.
 */
public final class TinyLmCorpus {

    /** Share of the text held out, from the end. */
    public static final int HELD_OUT_PERCENT = 5;

    private final byte[] text;
    private final int heldOutStart;
    private final String sha256;

    private TinyLmCorpus(byte[] text) {
        this.text = text;
        this.heldOutStart = splitPoint(text);
        this.sha256 = sha256(text);
    }

    /** Reads a text file as it is (any bytes; the King James text is plain ASCII). */
    public static TinyLmCorpus read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 100_000) {
            throw new IllegalArgumentException(file + " holds " + bytes.length + " bytes; a corpus needs at least 100,000");
        }
        return new TinyLmCorpus(bytes);
    }

    /** The first byte of the line that starts at or after {@value #HELD_OUT_PERCENT}% from the end. */
    private static int splitPoint(byte[] text) {
        int i = (int) ((long) text.length * (100 - HELD_OUT_PERCENT) / 100);
        while (i < text.length && text[i - 1] != '\n') {
            i++;
        }
        return i;
    }

    public int size() {
        return text.length;
    }

    /** Where the held-out part begins (a line start). */
    public int heldOutStart() {
        return heldOutStart;
    }

    /** The training part's size in bytes. */
    public int trainingBytes() {
        return heldOutStart;
    }

    /** How many different byte values the text holds (the alphabet a model has to learn). */
    public int distinctBytes() {
        boolean[] seen = new boolean[256];
        int n = 0;
        for (byte b : text) {
            if (!seen[b & 0xFF]) {
                seen[b & 0xFF] = true;
                n++;
            }
        }
        return n;
    }

    /** SHA-256 of the whole file, hex: identifies the text a run used. */
    public String sha256() {
        return sha256;
    }

    /** The held-out part. */
    public byte[] heldOut() {
        return Arrays.copyOfRange(text, heldOutStart, text.length);
    }

    /**
     * The validation slice: the first {@code windows (length - 1) + 1} bytes of the held-out part, exactly what
     * {@code windows} windows of {@code length} tokens cover.
     */
    public byte[] validationSlice(int windows, int length) {
        int bytes = windows * (length - 1) + 1;
        if (heldOutStart + bytes > text.length) {
            throw new IllegalArgumentException("the held-out part (" + (text.length - heldOutStart)
                    + " bytes) is shorter than " + windows + " windows of " + length);
        }
        return Arrays.copyOfRange(text, heldOutStart, heldOutStart + bytes);
    }

    /**
     * Training sequences: {@code rows} windows of {@code length} bytes at uniformly random offsets in the training
     * part; every position but the last is scored on the byte after it.
     */
    public NextTokenBatch trainingBatch(SplittableRandom random, int rows, int length) {
        long[][] ids = new long[rows][length];
        for (int b = 0; b < rows; b++) {
            int start = random.nextInt(heldOutStart - length + 1);
            for (int t = 0; t < length; t++) {
                ids[b][t] = text[start + t] & 0xFF;
            }
        }
        return NextTokenBatch.allPositions(ids);
    }

    /**
     * Consecutive windows of {@code length} tokens over {@code bytes}, window i starting at byte i (length - 1):
     * neighbours share one byte (the last of one is the first of the next), so each byte after the first is a target
     * exactly once. Bytes past the last whole window are not used.
     */
    public static List<long[]> windows(byte[] bytes, int length) {
        List<long[]> out = new ArrayList<>();
        for (int start = 0; start + length <= bytes.length; start += length - 1) {
            long[] w = new long[length];
            for (int t = 0; t < length; t++) {
                w[t] = bytes[start + t] & 0xFF;
            }
            out.add(w);
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
