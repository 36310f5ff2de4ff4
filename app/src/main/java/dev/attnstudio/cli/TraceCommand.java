package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Program;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code attn-studio trace}: loads a model, runs the prompt and the generated tokens through a {@link Stepper},
 * and writes each pass's hooks as .npy files with a manifest. The manifest is written last, so a folder with a
 * manifest holds a complete trace.
 */
final class TraceCommand {

    static final String INPUT_IDS_FILE = Program.INPUT_IDS + ".npy";

    private final TraceOptions options;
    private final PrintStream log;

    /** @param log where progress lines go (stderr: stdout stays free for data) */
    TraceCommand(TraceOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    void run() throws IOException {
        Path out = options.out().toAbsolutePath().normalize();
        prepareOutput(out);

        log.println("loading model " + options.model() + " ...");
        try (LoadedModel loaded = openModel(options.model(), options)) {
            ModelConfig config = loaded.config();
            log.printf(Locale.ROOT, "loaded %s (%d layers x %d heads, d_model %d, vocab %d) on %s in %d ms%n",
                    loaded.name(), config.nLayer(), config.nHead(), config.dModel(), config.vocabSize(),
                    deviceName(loaded), loaded.loadMillis());
            Pattern hooks = HookName.glob(options.hooks());
            if (allHookNames(config.nLayer()).stream().noneMatch(n -> hooks.matcher(n).matches())) {
                throw new UsageException("--hooks '" + options.hooks() + "' matches no hook of this model "
                        + "(list them with: attn-studio hooks)");
            }
            long[] ids = options.ids() != null ? options.ids() : tokenize(loaded);
            int total = ids.length + options.generate();
            if (total > config.nPositions()) {
                throw new UsageException("the prompt has " + ids.length + " tokens and --generate asks for "
                        + options.generate() + " more; this model reads at most " + config.nPositions()
                        + " (n_positions)");
            }

            try (Stepper stepper = new Stepper(loaded.model(), Stepper.Options.DEFAULT.withCapture(options.capture()))) {
                stepper.reset(ids); // checks the ids against the vocabulary
                SamplingConfig sampling = options.sampling();
                log.printf(Locale.ROOT, "tracing %d tokens (capture %s)%s%n", ids.length,
                        options.capture().name().toLowerCase(Locale.ROOT),
                        options.generate() == 0 ? "" : ", then generating " + options.generate() + " ("
                                + (sampling.greedy() ? "greedy" : describe(sampling)) + ")");
                long start = System.nanoTime();
                stepper.runToEnd();
                Sampler sampler = new Sampler(sampling);
                for (int i = 0; i < options.generate(); i++) {
                    stepper.generate(sampler);
                    stepper.runToEnd();
                }
                log.printf(Locale.ROOT, "computed %d passes in %d ms%n", stepper.groups().size(),
                        (System.nanoTime() - start) / 1_000_000);

                Written written = new Written();
                List<Manifest.Group> groups = new ArrayList<>();
                for (int g = 0; g < stepper.groups().size(); g++) {
                    groups.add(writeGroup(out, g, stepper.groups().get(g), hooks, loaded.tokenizer(), written));
                }
                long[] sequence = stepper.tokens();
                Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, "attn-studio trace",
                        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                        modelEntry(loaded), deviceName(loaded), options.capture().name().toLowerCase(Locale.ROOT),
                        options.hooks(), options.prompt(), ids.length, sequence,
                        strings(loaded.tokenizer(), sequence),
                        new Manifest.Sampling(options.generate(), sampling.greedy(), sampling.temperature(),
                                sampling.topK(), sampling.topP(), sampling.seed()),
                        groups);
                writeAtomically(out.resolve(Manifest.FILE_NAME), Manifest.mapper().writeValueAsBytes(manifest));
                written.files++;
                if (options.generate() > 0) {
                    long[] generated = Arrays.copyOfRange(sequence, ids.length, sequence.length);
                    log.println("generated ids " + Arrays.toString(generated)
                            + (loaded.tokenizer() == null ? "" : ": " + quote(loaded.tokenizer().decode(generated))));
                }
                log.printf(Locale.ROOT, "wrote %d files (%.1f MiB) to %s%n", written.files,
                        written.bytes / (1024.0 * 1024.0), out);
            }
        }
    }

    /** Counts what was written, for the last progress line. */
    private static final class Written {
        int files;
        long bytes;
    }

    private Manifest.Group writeGroup(Path out, int index, Stepper.Group group, Pattern hooks, Tokenizer tokenizer,
                                      Written written) throws IOException {
        String folderName = index == 0 ? "." : stepFolder(index, options.generate());
        Path folder = out.resolve(folderName).normalize();
        Files.createDirectories(folder);
        String prefix = index == 0 ? "" : folderName + "/";
        List<Manifest.FileEntry> files = new ArrayList<>();

        long[][] ids = group.ids();
        long[] flat = Arrays.stream(ids).flatMapToLong(Arrays::stream).toArray();
        long[] idShape = {ids.length, ids[0].length};
        Npy.writeInt64(folder.resolve(INPUT_IDS_FILE), idShape, flat);
        files.add(new Manifest.FileEntry(Program.INPUT_IDS, prefix + INPUT_IDS_FILE, idShape, "int64"));
        written.files++;
        written.bytes += Files.size(folder.resolve(INPUT_IDS_FILE));

        Trace trace = group.trace();
        for (String name : trace.program().names()) {
            if (!hooks.matcher(name).matches() || !trace.available(name)) {
                continue;
            }
            TensorData data = trace.read(name);
            Path file = folder.resolve(name + ".npy");
            Npy.writeFloat32(file, data.shape(), data.values());
            files.add(new Manifest.FileEntry(name, prefix + name + ".npy", data.shape(), "float32"));
            written.files++;
            written.bytes += Files.size(file);
        }

        Sampler.Choice next = group.next();
        Manifest.Generated generated = next == null ? null : new Manifest.Generated(next.token(),
                tokenizer == null ? null : tokenizer.decode(next.token()), next.probability());
        return new Manifest.Group(index, group.kind().name().toLowerCase(Locale.ROOT), folderName, group.past(),
                ids[0], strings(tokenizer, ids[0]), generated, files);
    }

    /** step-001, step-002, ...: zero-padded to at least three digits so they sort by name. */
    static String stepFolder(int index, int count) {
        int digits = Math.max(3, String.valueOf(count).length());
        return String.format(Locale.ROOT, "step-%0" + digits + "d", index);
    }

    /** Opens a model folder if the path exists, else a bundled sample by name. */
    static LoadedModel openModel(String spec, TraceOptions options) {
        Path folder = null;
        try {
            folder = Path.of(spec);
        } catch (InvalidPathException e) {
            // not a path; maybe a sample name
        }
        if (folder != null && Files.exists(folder)) {
            return LoadedModel.open(folder, options.device());
        }
        if (SampleModels.catalog().stream().anyMatch(s -> s.name().equals(spec))) {
            return SampleModels.open(spec, options.device());
        }
        if (folder != null && (spec.contains("/") || spec.contains(folder.getFileSystem().getSeparator()))) {
            throw new UsageException("no model folder at " + folder.toAbsolutePath().normalize());
        }
        throw new UsageException("'" + spec + "' is neither a model folder nor a bundled sample (bundled: "
                + Main.sampleNames() + ")");
    }

    private long[] tokenize(LoadedModel loaded) {
        Tokenizer tokenizer = loaded.tokenizer();
        if (tokenizer == null) {
            throw new UsageException("model " + loaded.name() + " has no tokenizer.json, so it cannot read --prompt; "
                    + "give token ids with --ids");
        }
        Tokenizer.Tokens tokens = tokenizer.encode(options.prompt());
        if (tokens.size() == 0) {
            throw new UsageException("the prompt is empty: type at least one token");
        }
        return tokens.ids();
    }

    /** Each id decoded on its own, or null without a tokenizer. */
    private static List<String> strings(Tokenizer tokenizer, long[] ids) {
        if (tokenizer == null) {
            return null;
        }
        List<String> strings = new ArrayList<>(ids.length);
        for (long id : ids) {
            strings.add(tokenizer.decode(id));
        }
        return strings;
    }

    private Manifest.Model modelEntry(LoadedModel loaded) {
        ModelConfig c = loaded.config();
        Path folder = null;
        try {
            folder = Path.of(options.model());
        } catch (InvalidPathException e) {
            // a sample name
        }
        boolean isFolder = folder != null && Files.isDirectory(folder);
        return new Manifest.Model(loaded.name(), isFolder ? "folder" : "sample",
                isFolder ? folder.toAbsolutePath().normalize().toString() : null, "gpt2",
                new Manifest.Config(c.nLayer(), c.nHead(), c.dModel(), c.dHead(), c.nPositions(), c.vocabSize(),
                        c.layerNormEps(), c.activation().name().toLowerCase(Locale.ROOT)));
    }

    private static String deviceName(LoadedModel loaded) {
        return loaded.device().isGpu() ? "gpu" + loaded.device().getDeviceId() : "cpu";
    }

    private static String describe(SamplingConfig s) {
        return String.format(Locale.ROOT, "temperature %s, top-k %d, top-p %s, seed %d", s.temperature(), s.topK(),
                s.topP(), s.seed());
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** Every hook name a model of this depth can have, whatever the pass. */
    static List<String> allHookNames(int layers) {
        List<String> names = new ArrayList<>();
        for (HookName.Model m : HookName.Model.values()) {
            names.add(m.id);
        }
        for (int i = 0; i < layers; i++) {
            for (HookName.Block b : HookName.Block.values()) {
                names.add(b.at(i));
            }
        }
        return names;
    }

    /**
     * Makes sure {@code out} is a folder we may write into. A folder holding a manifest holds an earlier trace:
     * it is refused unless {@code --force}, which removes the files that manifest lists (never anything else).
     */
    private void prepareOutput(Path out) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageException("--out " + out + " is a file, not a folder");
        }
        Path manifest = out.resolve(Manifest.FILE_NAME);
        if (Files.exists(manifest)) {
            if (!options.force()) {
                throw new UsageException("--out " + out + " already holds a trace (manifest.json); "
                        + "choose another folder or add --force to replace it");
            }
            removePreviousTrace(out, manifest);
        }
        Files.createDirectories(out);
    }

    private void removePreviousTrace(Path out, Path manifest) throws IOException {
        JsonNode old;
        try {
            old = Manifest.mapper().readTree(manifest.toFile());
        } catch (IOException e) {
            old = null; // unreadable: files of the same name are overwritten, others stay
        }
        // The manifest goes first: a folder must never hold a manifest whose files are gone.
        Files.delete(manifest);
        if (old == null) {
            return;
        }
        int removed = 0;
        List<Path> folders = new ArrayList<>();
        for (JsonNode group : old.path("groups")) {
            for (JsonNode file : group.path("files")) {
                Path p = inside(out, file.path("file").asText(""));
                if (p != null && p.getFileName().toString().endsWith(".npy") && Files.deleteIfExists(p)) {
                    removed++;
                }
            }
            Path folder = inside(out, group.path("folder").asText(""));
            if (folder != null && !folder.equals(out)) {
                folders.add(folder);
            }
        }
        for (Path folder : folders) {
            if (Files.isDirectory(folder) && isEmpty(folder)) {
                Files.delete(folder);
            }
        }
        log.println("--force: removed the previous trace in " + out + " (" + removed + " files)");
    }

    /** The path a manifest entry names, or null unless it stays inside {@code out}. */
    private static Path inside(Path out, String relative) {
        if (relative.isEmpty()) {
            return null;
        }
        try {
            Path p = out.resolve(relative).normalize();
            return p.startsWith(out) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(file + ": the file system cannot replace files atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
