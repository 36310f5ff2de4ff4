package dev.attnstudio.app.bundle;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.TensorData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A trace bundle opened for reading, with no model: the passes it recorded, each pass's step list and the hooks it
 * wrote, read on demand as {@link TensorData} (the same plain data the engine's {@code Trace.read} gives), the
 * tokens, the config and the model's capabilities. Read-only; entries are checked (names, sizes, shapes against the
 * manifest) when they are read. Not thread-safe: one thread reads it (the app's engine thread).
 */
public final class RecordedTrace implements AutoCloseable {

    /** Bytes of manifest.json and vocabulary.json accepted (JSON is parsed whole). */
    private static final long MAX_JSON_BYTES = 256L << 20;

    private final Path path;
    private final BundleEntries entries;
    private final Manifest manifest;
    private final List<Map<String, Manifest.FileEntry>> files = new ArrayList<>();
    private List<String> vocabulary;

    private RecordedTrace(Path path, BundleEntries entries, Manifest manifest) throws BundleException {
        this.path = path;
        this.entries = entries;
        this.manifest = manifest;
        for (Manifest.Group g : manifest.groups()) {
            Map<String, Manifest.FileEntry> byHook = new LinkedHashMap<>();
            for (Manifest.FileEntry f : g.files()) {
                if (!BundleNames.safe(f.file())) {
                    throw entries.unsafe(f.file());
                }
                if (!entries.has(f.file())) {
                    throw new BundleException(BundleException.Problem.MISSING, entries.where(f.file())
                            + " is listed in the manifest but missing");
                }
                byHook.put(f.hook(), f);
            }
            files.add(byHook);
        }
    }

    /** Opens a bundle folder or .npz archive with the default limits. */
    public static RecordedTrace open(Path path) throws IOException {
        return open(path, BundleLimits.DEFAULT);
    }

    /** Opens a bundle folder (holding manifest.json) or .npz archive; closes what it opened when it fails. */
    public static RecordedTrace open(Path path, BundleLimits limits) throws IOException {
        BundleEntries entries = BundleEntries.open(path, limits);
        try {
            byte[] json = json(entries, Manifest.FILE_NAME);
            int version = Manifest.mapper().readTree(json).path("format_version").asInt(-1);
            if (version != Manifest.FORMAT_VERSION) {
                throw new BundleException(BundleException.Problem.UNSUPPORTED_VERSION, entries.where(Manifest.FILE_NAME)
                        + " is format version " + version + "; this version of attn-studio opens version "
                        + Manifest.FORMAT_VERSION + " (trace the model again with this version)");
            }
            Manifest manifest = Manifest.mapper().readValue(json, Manifest.class);
            if (manifest.groups() == null || manifest.groups().isEmpty() || manifest.model() == null
                    || manifest.model().capabilities() == null) {
                throw new BundleException(BundleException.Problem.MALFORMED, entries.where(Manifest.FILE_NAME)
                        + " lists no passes, or no model");
            }
            return new RecordedTrace(path, entries, manifest);
        } catch (BundleException e) {
            entries.close();
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            entries.close(); // JSON that does not parse or map onto the manifest
            throw malformed(entries, e);
        } catch (RuntimeException e) {
            entries.close();
            throw e;
        }
    }

    private static BundleException malformed(BundleEntries entries, Exception e) {
        return new BundleException(BundleException.Problem.MALFORMED, entries.where(Manifest.FILE_NAME)
                + " cannot be read: " + e.getMessage(), e);
    }

    private static byte[] json(BundleEntries entries, String name) throws IOException {
        byte[] bytes = entries.read(name);
        if (bytes.length > MAX_JSON_BYTES) {
            throw entries.tooLarge(name, bytes.length);
        }
        return bytes;
    }

    /** The bundle's file or folder. */
    public Path path() {
        return path;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The recorded model's name ("gpt2", the folder's name, a sample's). */
    public String modelName() {
        return manifest.model().name();
    }

    public Capabilities capabilities() {
        return manifest.model().capabilities();
    }

    public Manifest.Config config() {
        return manifest.model().config();
    }

    /** The passes: the prompt's, then one per generated token. */
    public List<Manifest.Group> groups() {
        return manifest.groups();
    }

    /** Every step of a pass's program, in order, written or not. */
    public List<Manifest.Step> steps(int group) {
        List<Manifest.Step> steps = manifest.groups().get(group).steps();
        return steps == null ? List.of() : steps;
    }

    /** The hooks a pass wrote (its inputs excluded), in step order. */
    public List<String> hookNames(int group) {
        List<String> names = new ArrayList<>();
        for (Manifest.FileEntry f : files.get(group).values()) {
            if ("float32".equals(f.dtype())) {
                names.add(f.hook());
            }
        }
        return names;
    }

    /** Whether a pass recorded a hook (or an input table). */
    public boolean has(int group, String hook) {
        return files.get(group).containsKey(hook);
    }

    /** A recorded hook's value, as the engine's {@code Trace.read(name)} gives it; read from the bundle each time. */
    public TensorData read(int group, String hook) throws IOException {
        Manifest.FileEntry f = entry(group, hook);
        if (!"float32".equals(f.dtype())) {
            throw new IllegalArgumentException(hook + " is an int64 input: read it with ids()");
        }
        Npy.Float32 a;
        try {
            a = Npy.readFloat32(entries.where(f.file()), entries.read(f.file()));
        } catch (Npy.FormatException e) {
            throw new BundleException(BundleException.Problem.MALFORMED, e.getMessage(), e);
        }
        checkShape(f, a.shape());
        return new TensorData(hook, a.shape(), a.values());
    }

    /** Part of a recorded hook, in the index notation of the engine's {@code Trace.read(name, index, args)}. */
    public TensorData read(int group, String hook, String index, Object... args) throws IOException {
        return TensorSlice.apply(read(group, hook), index, args);
    }

    /** An input table [B][T] of a pass: input_ids, token_type_ids, attention_mask, decoder_input_ids. */
    public long[][] ids(int group, String input) throws IOException {
        Manifest.FileEntry f = entry(group, input);
        Npy.Int64 a;
        try {
            a = Npy.readInt64(entries.where(f.file()), entries.read(f.file()));
        } catch (Npy.FormatException e) {
            throw new BundleException(BundleException.Problem.MALFORMED, e.getMessage(), e);
        }
        checkShape(f, a.shape());
        if (a.shape().length != 2) {
            throw new BundleException(BundleException.Problem.MALFORMED, entries.where(f.file())
                    + " is not a [B, T] table");
        }
        int b = (int) a.shape()[0];
        int t = (int) a.shape()[1];
        long[][] rows = new long[b][];
        for (int i = 0; i < b; i++) {
            rows[i] = Arrays.copyOfRange(a.values(), i * t, (i + 1) * t);
        }
        return rows;
    }

    /** Row 0's tokens as text (prompt, then generated), or empty when the model had no tokenizer. */
    public List<String> tokenStrings() {
        return manifest.tokenStrings() == null ? List.of() : manifest.tokenStrings();
    }

    /** The text of a token id, from the recorded vocabulary; empty when the bundle has none. */
    public Optional<String> token(long id) throws IOException {
        if (manifest.vocabulary() == null) {
            return Optional.empty();
        }
        if (vocabulary == null) {
            try {
                vocabulary = Manifest.mapper().readValue(json(entries, manifest.vocabulary()), new TypeReference<>() {
                });
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new BundleException(BundleException.Problem.MALFORMED, entries.where(manifest.vocabulary())
                        + " is not a JSON list of strings: " + e.getOriginalMessage(), e);
            }
        }
        return id >= 0 && id < vocabulary.size() ? Optional.of(vocabulary.get((int) id)) : Optional.empty();
    }

    /** The model's tokenizer.json as recorded, or empty. */
    public Optional<String> tokenizerJson() throws IOException {
        if (manifest.tokenizer() == null) {
            return Optional.empty();
        }
        return Optional.of(new String(json(entries, manifest.tokenizer()), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A token's text from the recorded vocabulary, or {@code #id} when there is none (or it cannot be read). */
    public String label(long id) {
        try {
            return token(id).orElse("#" + id);
        } catch (IOException e) {
            return "#" + id;
        }
    }

    private Manifest.FileEntry entry(int group, String hook) {
        if (group < 0 || group >= files.size()) {
            throw new IndexOutOfBoundsException("the bundle has " + files.size() + " passes, not " + (group + 1));
        }
        Manifest.FileEntry f = files.get(group).get(hook);
        if (f == null) {
            throw new IllegalArgumentException("pass " + group + " of " + path.getFileName() + " did not record "
                    + hook + " (the trace was written with --hooks '" + manifest.hooks() + "')");
        }
        return f;
    }

    private void checkShape(Manifest.FileEntry f, long[] shape) throws BundleException {
        if (f.shape() != null && !Arrays.equals(f.shape(), shape)) {
            throw new BundleException(BundleException.Problem.MALFORMED, entries.where(f.file()) + " has shape "
                    + Arrays.toString(shape) + ", the manifest says " + Arrays.toString(f.shape()));
        }
    }

    @Override
    public void close() throws IOException {
        entries.close();
    }
}
