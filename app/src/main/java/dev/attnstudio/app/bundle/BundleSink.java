package dev.attnstudio.app.bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a trace bundle is written: a folder of .npy files, or one .npz archive (a zip of the same .npy entries,
 * which {@code numpy.load} opens). Entries are named by hook, relative to the bundle's root with '/' between
 * folders ({@code step-001/blocks.0.attn.hook_pattern.npy}). The manifest is written last by {@link #commit}; until
 * then nothing is visible under the bundle's name (an archive is written to a temporary file and moved into place;
 * a folder's files each appear atomically, and a folder without a manifest is not a bundle). Closing a sink that was
 * not committed discards what it wrote (an archive) or leaves files no manifest lists (a folder).
 */
public sealed interface BundleSink extends AutoCloseable permits FolderSink, NpzSink {

    /** Whether {@code out} names an archive (ends with .npz) rather than a folder. */
    static boolean isArchive(Path out) {
        Path name = out.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".npz");
    }

    /**
     * A sink writing into {@code out}: an archive when it ends with .npz, else a folder (which must exist; checking
     * and clearing it is the caller's business).
     */
    static BundleSink to(Path out) throws IOException {
        return isArchive(out) ? new NpzSink(out) : new FolderSink(out);
    }

    /** Writes a float32 tensor [shape] (row-major values) as the .npy entry {@code entry}. */
    void float32(String entry, long[] shape, float[] values) throws IOException;

    /** Writes an int64 table (token ids) as the .npy entry {@code entry}. */
    void int64(String entry, long[] shape, long[] values) throws IOException;

    /** Writes a non-array entry (JSON) as it is. */
    void bytes(String entry, byte[] content) throws IOException;

    /** Writes the manifest, last, and makes the bundle visible under its name. */
    void commit(byte[] manifest) throws IOException;

    /** Entries written so far (the manifest included once committed). */
    int entries();

    /** Bytes of the entries as .npy or JSON (before any compression). */
    long bytes();

    /** Where the bundle is (or will be, once committed). */
    Path location();

    @Override
    void close() throws IOException;

    /** Refuses an entry name that is not a plain relative path inside the bundle. */
    static String checkEntry(String entry) {
        if (!BundleNames.safe(entry)) {
            throw new IllegalArgumentException("'" + entry + "' is not a relative path inside the bundle");
        }
        return entry;
    }
}
