package dev.attnstudio.app.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.ModelSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Writes a stepper's passes as a trace bundle (a folder, or one .npz when the name ends with .npz): every pass's
 * inputs and the hooks {@code hooks} matches, the vocabulary and tokenizer.json, then the manifest. The one writer of
 * {@code attn-studio trace} and the app's File ▸ Save pass as bundle.
 */
public final class BundleWriter {

    /** Name of the padding mask input [B, T] in the manifest and on disk (1 = real token, 0 = padding). */
    public static final String ATTENTION_MASK = "attention_mask";

    /**
     * How the run was made, as the manifest records it.
     *
     * @param tool     "attn-studio trace" or "attn-studio app"
     * @param hooks    the glob the written hooks match
     * @param prompts  each batch row's text, or empty when ids were given
     * @param pair     sentence B of every row, or null
     * @param generate tokens asked for after the prompt
     */
    public record Run(String tool, Capture capture, String hooks, List<String> prompts, String pair,
                      Batch.Padding padding, long padId, int generate, SamplingConfig sampling,
                      Interventions interventions) {
    }

    /** What was written: entries and their bytes, for a progress line. */
    public record Written(int entries, long bytes) {
    }

    private BundleWriter() {
    }

    /**
     * Writes every pass of {@code stepper} (each run to its end) into {@code out}.
     *
     * @param weights the weights' hashes (computed before the model was loaded, so a missing file fails fast)
     */
    public static Written write(Path out, Run run, Pattern hooks, ModelSource source, LoadedModel loaded,
                                Stepper stepper, Manifest.Weights weights) throws IOException {
        Capabilities model = loaded.model().capabilities();
        Tokenizer tokenizer = loaded.tokenizer();
        Batch batch = stepper.groups().get(0).inputs();
        List<Manifest.Group> groups = new ArrayList<>();
        try (BundleSink sink = BundleSink.to(out)) {
            for (int g = 0; g < stepper.groups().size(); g++) {
                String folder = g == 0 ? "." : stepFolder(g, Math.max(run.generate(), stepper.groups().size() - 1));
                groups.add(writeGroup(sink, g, folder, stepper.groups().get(g), hooks, tokenizer));
            }
            String vocabulary = null;
            if (tokenizer != null) {
                vocabulary = Manifest.VOCABULARY_FILE;
                sink.bytes(vocabulary, Manifest.mapper().writeValueAsBytes(vocabulary(loaded)));
            }
            String tokenizerEntry = null;
            Optional<byte[]> tokenizerJson = tokenizer == null ? Optional.empty() : WeightsDigest.tokenizerJson(source);
            if (tokenizerJson.isPresent()) {
                tokenizerEntry = Manifest.TOKENIZER_FILE;
                sink.bytes(tokenizerEntry, tokenizerJson.get());
            }
            // the sequence generation extends: the prompt's, or an encoder-decoder's decoder sequence
            long[] sequence = stepper.tokens();
            long[] prompt = model.readsSource() ? batch.ids()[0] : sequence;
            long[] decoderSequence = model.readsSource() ? sequence : null;
            SamplingConfig s = run.sampling();
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, run.tool(),
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    entry(source, loaded), deviceName(loaded), run.capture().name().toLowerCase(Locale.ROOT),
                    run.hooks(), run.prompts().isEmpty() ? null : run.prompts().get(0), batch.length(),
                    prompt, strings(tokenizer, prompt), decoderSequence, strings(tokenizer, decoderSequence),
                    new Manifest.Padding(run.padding().name().toLowerCase(Locale.ROOT), run.padId()),
                    rows(run, batch, tokenizer),
                    new Manifest.Sampling(run.generate(), s.greedy(), s.temperature(), s.topK(), s.topP(), s.seed()),
                    run.interventions().applied().stream().map(i -> new Manifest.Applied(i.spec(), i.label())).toList(),
                    groups, vocabulary, weights, tokenizerEntry);
            sink.commit(Manifest.mapper().writeValueAsBytes(manifest));
            return new Written(sink.entries(), sink.bytes());
        }
    }

    /** The manifest's description of the loaded model. */
    public static Manifest.Model entry(ModelSource source, LoadedModel loaded) {
        String kind = source instanceof ModelSource.OnDisk disk ? (ModelFolder.isOnnx(disk.path()) ? "onnx" : "folder")
                : "sample";
        String path = source instanceof ModelSource.OnDisk disk ? disk.path().toString() : null;
        JsonNode configJson;
        try {
            configJson = WeightsDigest.config(source).orElse(null);
        } catch (IOException e) {
            configJson = null; // the model was read from it a moment ago; a bundle without it still opens
        }
        return new Manifest.Model(loaded.name(), kind, path, loaded.model().capabilities().family(),
                loaded.model().outputHook(), Manifest.Config.of(loaded.config()), configJson,
                loaded.model().capabilities());
    }

    public static String deviceName(LoadedModel loaded) {
        return loaded.device().isGpu() ? "gpu" + loaded.device().getDeviceId() : "cpu";
    }

    /** step-001, step-002, ...: zero-padded to at least three digits so they sort by name. */
    public static String stepFolder(int index, int count) {
        int digits = Math.max(3, String.valueOf(count).length());
        return String.format(Locale.ROOT, "step-%0" + digits + "d", index);
    }

    private static Manifest.Group writeGroup(BundleSink sink, int index, String folderName, Stepper.Group group,
                                             Pattern hooks, Tokenizer tokenizer) throws IOException {
        String prefix = index == 0 ? "" : folderName + "/";
        List<Manifest.FileEntry> files = new ArrayList<>();

        Batch inputs = group.inputs();
        writeInput(sink, prefix, Program.INPUT_IDS, inputs.ids(), files);
        writeInput(sink, prefix, Program.TOKEN_TYPE_IDS, inputs.tokenTypes(), files);
        writeInput(sink, prefix, ATTENTION_MASK, inputs.attentionMask(), files);
        if (inputs.decoderIds() != null) {
            writeInput(sink, prefix, Program.DECODER_INPUT_IDS, inputs.decoderIds(), files);
        }

        Trace trace = group.trace();
        Program program = trace.program();
        List<Manifest.Step> steps = new ArrayList<>(program.size());
        for (int i = 0; i < program.size(); i++) {
            String name = program.op(i).name();
            steps.add(Manifest.Step.of(program.op(i)));
            if (!hooks.matcher(name).matches() || !trace.available(name)) {
                continue;
            }
            TensorData data = trace.read(name);
            sink.float32(prefix + name + ".npy", data.shape(), data.values());
            files.add(new Manifest.FileEntry(name, prefix + name + ".npy", data.shape(), "float32", trace.patches(name)));
        }

        Sampler.Choice next = group.next();
        Manifest.Generated generated = next == null ? null : new Manifest.Generated(next.token(),
                tokenizer == null ? null : tokenizer.decode(next.token()), next.probability());
        long[] ids = inputs.ids()[0];
        long[] decoderIds = inputs.decoderIds() == null ? null : inputs.decoderIds()[0];
        return new Manifest.Group(index, group.kind().name().toLowerCase(Locale.ROOT), folderName, group.past(),
                ids, strings(tokenizer, ids), decoderIds, strings(tokenizer, decoderIds), generated, files, steps);
    }

    /** Writes one input table [B][T] as {@code <name>.npy} (int64) and lists it. */
    private static void writeInput(BundleSink sink, String prefix, String name, long[][] table,
                                   List<Manifest.FileEntry> files) throws IOException {
        long[] flat = Arrays.stream(table).flatMapToLong(Arrays::stream).toArray();
        long[] shape = {table.length, table[0].length};
        sink.int64(prefix + name + ".npy", shape, flat);
        files.add(new Manifest.FileEntry(name, prefix + name + ".npy", shape, "int64", List.of()));
    }

    /** Every row of the first pass, for the manifest. */
    private static List<Manifest.Row> rows(Run run, Batch batch, Tokenizer tokenizer) {
        List<Manifest.Row> rows = new ArrayList<>(batch.size());
        for (int b = 0; b < batch.size(); b++) {
            long[] ids = batch.ids()[b];
            long[] mask = batch.attentionMask()[b];
            rows.add(new Manifest.Row(b, b < run.prompts().size() ? run.prompts().get(b) : null, run.pair(),
                    (int) Arrays.stream(mask).sum(), ids, strings(tokenizer, ids), batch.tokenTypes()[b], mask));
        }
        return rows;
    }

    /** Every token of the vocabulary as text, indexed by id: labels for any id a view shows (top predictions). */
    private static List<String> vocabulary(LoadedModel loaded) {
        List<String> strings = new ArrayList<>(loaded.config().vocabSize());
        for (int id = 0; id < loaded.config().vocabSize(); id++) {
            strings.add(loaded.tokenizer().decode(id));
        }
        return strings;
    }

    /** Each id decoded on its own, or null without a tokenizer (or without ids). */
    public static List<String> strings(Tokenizer tokenizer, long[] ids) {
        if (tokenizer == null || ids == null) {
            return null;
        }
        List<String> strings = new ArrayList<>(ids.length);
        for (long id : ids) {
            strings.add(tokenizer.decode(id));
        }
        return strings;
    }
}
