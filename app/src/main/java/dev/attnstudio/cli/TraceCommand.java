package dev.attnstudio.cli;

import dev.attnstudio.app.bundle.BundleSink;
import dev.attnstudio.app.bundle.BundleWriter;
import dev.attnstudio.app.bundle.Manifest;
import dev.attnstudio.app.bundle.WeightsDigest;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.ModelSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code attn-studio trace}: loads a model, runs the prompts (and, for a decoder, the generated tokens) through a
 * {@link Stepper}, and writes each pass's inputs and hooks as .npy entries with a manifest into a trace bundle: a
 * folder, or one .npz archive when --out ends with .npz ({@link BundleSink}). The manifest is written last, so a
 * bundle with a manifest is complete. Besides the run it records what opening the bundle without the model needs:
 * the model's config.json and capabilities, each pass's step list, the vocabulary as text and the weights' SHA-256.
 */
final class TraceCommand {

    static final String INPUT_IDS_FILE = Program.INPUT_IDS + ".npy";
    /** Name of the padding mask input [B, T] in the manifest and on disk (1 = real token, 0 = padding). */
    static final String ATTENTION_MASK = BundleWriter.ATTENTION_MASK;

    private final TraceOptions options;
    private final PrintStream log;

    /** @param log where progress lines go (stderr: stdout stays free for data) */
    TraceCommand(TraceOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Runs the trace; returns the exit code: 0, or 1 under --strict when a pass computed a value that is not finite. */
    int run() throws IOException {
        Path out = options.out().toAbsolutePath().normalize();
        ModelSource source = locate(options.model(), options.tokenizer());
        String name = source instanceof ModelSource.OnDisk disk ? String.valueOf(disk.path().getFileName()) : source.label();
        checkFits(name, source.capabilitiesBeforeLoading().orElse(null)); // before a long load when config.json tells
        TraceFolder.check(out, options.force());
        Manifest.Weights weights = weights(source); // streamed before the load: a missing file fails fast

        log.println("loading model " + options.model() + " ...");
        long loadStart = System.nanoTime();
        try (LoadedModel loaded = source.open(options.device())) {
            ModelConfig config = loaded.config();
            Capabilities model = loaded.model().capabilities();
            String layers = model.readsSource() ? model.stacks().get(0).layers() + " encoder + "
                    + model.outputStack().layers() + " decoder" : String.valueOf(config.nLayer());
            log.printf(Locale.ROOT, "loaded %s (%s: %s layers x %d heads, d_model %d, vocab %d) on %s in %d ms%n",
                    loaded.name(), family(model), layers, config.nHead(), config.dModel(),
                    config.vocabSize(), deviceName(loaded), (System.nanoTime() - loadStart) / 1_000_000);
            if (source instanceof ModelSource.OnDisk disk && ModelFolder.isOnnx(disk.path())) {
                Path tokenizer = disk.tokenizer() != null ? disk.tokenizer() : disk.path().resolveSibling("tokenizer.json");
                log.println(loaded.tokenizer() == null ? "no tokenizer.json next to " + disk.path().getFileName()
                        + " (give --tokenizer to read --prompt text)" : "tokenizer: " + tokenizer);
            }
            checkFits(loaded.name(), model);
            if (options.padId() >= config.vocabSize()) {
                throw new UsageException("--pad-id " + options.padId() + " is outside the vocabulary (0.."
                        + (config.vocabSize() - 1) + ")");
            }
            Batch batch = inputs(loaded, model);
            int generatedLength = model.readsSource() ? batch.decoderLength() : batch.length();
            if (batch.length() > config.nPositions() || generatedLength + options.generate() > config.nPositions()) {
                throw new UsageException(tooLong(batch, config, model));
            }
            TraceFolder.prepare(out, options.force(), log);

            try (Stepper stepper = new Stepper(loaded.model(), Stepper.Options.DEFAULT.withCapture(options.capture())
                    .withInterventions(options.interventions()))) {
                stepper.reset(batch); // checks ids, types and interventions against the model
                Pattern hooks = hookPattern(stepper, model);
                SamplingConfig sampling = options.sampling();
                log.printf(Locale.ROOT, "tracing %s (capture %s)%s%s%n", describe(batch, loaded.tokenizer()),
                        options.capture().name().toLowerCase(Locale.ROOT),
                        options.generate() == 0 ? "" : ", then generating " + options.generate() + " ("
                                + (sampling.greedy() ? "greedy" : describe(sampling)) + ")",
                        options.interventions().any() ? ", with " + String.join(", ", options.interventions().specs()) : "");
                long start = System.nanoTime();
                stepper.runToEnd();
                Sampler sampler = new Sampler(sampling);
                for (int i = 0; i < options.generate(); i++) {
                    stepper.generate(sampler);
                    stepper.runToEnd();
                }
                int passes = stepper.groups().size();
                log.printf(Locale.ROOT, "computed %d pass%s in %d ms%n", passes, passes == 1 ? "" : "es",
                        (System.nanoTime() - start) / 1_000_000);

                BundleWriter.Run run = new BundleWriter.Run("attn-studio trace", options.capture(), options.hooks(),
                        options.prompts(), options.pair(), options.padding(), options.padId(), options.generate(),
                        sampling, options.interventions());
                BundleWriter.Written written = BundleWriter.write(out, run, hooks, source, loaded, stepper, weights);
                if (options.generate() > 0) {
                    long[] sequence = stepper.tokens();
                    long[] generated = Arrays.copyOfRange(sequence, generatedLength, sequence.length);
                    log.println("generated ids " + Arrays.toString(generated)
                            + (loaded.tokenizer() == null ? "" : ": " + quote(loaded.tokenizer().decode(generated))));
                }
                log.printf(Locale.ROOT, "wrote %d %s (%.1f MiB) to %s%n", written.entries(),
                        BundleSink.isArchive(out) ? "entries" : "files", written.bytes() / (1024.0 * 1024.0), out);
                return nonFinite(stepper) && options.strict() ? 1 : 0;
            }
        }
    }

    /**
     * Says on the log where the run first computed a value that is not finite (the first pass that did, and its first
     * such step): a warning, or under --strict the reason for exit code 1. Returns whether there was one.
     */
    private boolean nonFinite(Stepper stepper) {
        for (int g = 0; g < stepper.groups().size(); g++) {
            var first = stepper.groups().get(g).trace().firstNonFinite();
            if (first.isPresent()) {
                log.printf(Locale.ROOT, "%s: %s first appeared at %s (pass %d, step %d)%s%n",
                        options.strict() ? "error" : "warning", first.get().what(), first.get().hook(), g,
                        first.get().step() + 1, options.strict() ? "; exit 1 (--strict)" : "");
                return true;
            }
        }
        return false;
    }

    /** Where --model points (with a tokenizer.json for a .onnx file, or null), checked before anything is loaded. */
    static ModelSource locate(String model, Path tokenizer) {
        ModelSource source;
        try {
            source = ModelSource.locate(model);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (tokenizer != null && source instanceof ModelSource.OnDisk disk) {
            return new ModelSource.OnDisk(disk.path(), tokenizer);
        }
        return source;
    }

    /** "BERT encoder", "GPT2 decoder" or "T5 encoder-decoder", for messages. */
    private static String family(Capabilities model) {
        return model.family().toUpperCase(Locale.ROOT) + (model.readsSource() ? " encoder-decoder"
                : model.generates() ? " decoder" : " encoder");
    }

    /**
     * Refuses what this kind of model cannot do, before anything is tokenized or computed.
     *
     * @param model the model's capabilities, or null before it is loaded (then only the model-independent checks)
     */
    private void checkFits(String name, Capabilities model) {
        if (options.generate() > 0 && options.rows() > 1) {
            throw new UsageException("--generate continues a single prompt, but " + options.rows()
                    + " were given (leave out --generate to trace them as one batch)");
        }
        if (model == null) {
            return;
        }
        if (!model.generates() && options.generate() > 0) {
            throw new UsageException("--generate needs a decoder or an encoder-decoder: " + name + " is a "
                    + family(model) + ", which reads its whole input at once and predicts no next token (leave out --generate)");
        }
        if (!model.sentencePairs() && options.pair() != null) {
            throw new UsageException("--pair needs an encoder with token types (BERT): " + name + " is a "
                    + family(model) + " (put both texts into one --prompt)");
        }
        if (!model.readsSource() && options.decoderIds() != null) {
            throw new UsageException("--decoder-ids needs an encoder-decoder (T5): " + name + " is a "
                    + family(model) + ", which has no separate decoder input (give its input with --ids)");
        }
        for (Intervention i : options.interventions().applied()) {
            try {
                i.check(model);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--intervene " + e.getMessage());
            }
        }
    }

    /** The manifest's description of the loaded model. */
    static Manifest.Model entry(ModelSource source, LoadedModel loaded) {
        return BundleWriter.entry(source, loaded);
    }

    /**
     * The first pass's input: the --ids row, or each prompt (with the pair) tokenized and padded to the longest; for an
     * encoder-decoder that is the source, and every row's decoder input is --decoder-ids (by default the decoder
     * start token alone).
     */
    private Batch inputs(LoadedModel loaded, Capabilities model) {
        Batch batch = source(loaded);
        if (!model.readsSource()) {
            return batch;
        }
        long start = model.decoderStartToken();
        long[] decoder = options.decoderIds() == null ? new long[] {start} : options.decoderIds();
        if (decoder[0] != start) {
            throw new UsageException("--decoder-ids must start with the decoder start token " + start
                    + (loaded.tokenizer() == null ? "" : " (" + loaded.tokenizer().decode(start) + ")") + " of "
                    + loaded.name() + ", was " + decoder[0] + " (write " + start + "," + decoder[0] + ",...)");
        }
        long[][] rows = new long[batch.size()][];
        Arrays.fill(rows, decoder);
        return batch.withDecoder(rows);
    }

    /** The ids the model reads first: the --ids row, or each prompt (with the pair) tokenized and padded. */
    private Batch source(LoadedModel loaded) {
        if (options.ids() != null) {
            return Batch.of(options.ids());
        }
        Tokenizer tokenizer = loaded.tokenizer();
        if (tokenizer == null) {
            throw new UsageException("model " + loaded.name() + " has no tokenizer.json, so it cannot read --prompt; "
                    + "give token ids with --ids");
        }
        List<long[]> ids = new ArrayList<>();
        List<long[]> types = new ArrayList<>();
        for (int b = 0; b < options.prompts().size(); b++) {
            String prompt = options.prompts().get(b);
            Tokenizer.Tokens tokens = options.pair() == null ? tokenizer.encode(prompt)
                    : tokenizer.encodePair(prompt, options.pair());
            if (tokens.size() == 0) {
                throw new UsageException((options.rows() == 1 ? "the prompt" : "prompt " + (b + 1))
                        + " is empty: type at least one token");
            }
            ids.add(tokens.ids());
            types.add(tokens.typeIds());
        }
        return Batch.pad(ids, types, options.padding(), options.padId());
    }

    private String tooLong(Batch batch, ModelConfig config, Capabilities model) {
        if (model.readsSource() && batch.length() <= config.nPositions()) {
            return "the decoder input has " + batch.decoderLength() + " tokens and --generate asks for "
                    + options.generate() + " more; this model reads at most " + config.nPositions() + " (n_positions)";
        }
        if (model.generates() && !model.readsSource()) {
            return "the prompt has " + batch.length() + " tokens and --generate asks for " + options.generate()
                    + " more; this model reads at most " + config.nPositions() + " (n_positions)";
        }
        return (batch.size() > 1 ? "the longest prompt has " : "the prompt has ") + batch.length()
                + " tokens; this model reads at most " + config.nPositions() + " (max_position_embeddings)";
    }

    /**
     * The --hooks glob, checked against the names this run can write: the first pass's steps, plus the cached
     * keys and values that only decode passes read.
     */
    private Pattern hookPattern(Stepper stepper, Capabilities model) {
        Pattern hooks = HookName.glob(options.hooks());
        List<String> names = new ArrayList<>(stepper.groups().get(0).trace().program().names());
        if (options.generate() > 0 && stepper.cache() != null) {
            for (int i = 0; i < stepper.cache().layers(); i++) {
                names.add(pastHook(model, HookName.Block.PAST_K, i));
                names.add(pastHook(model, HookName.Block.PAST_V, i));
            }
        }
        if (names.stream().noneMatch(n -> hooks.matcher(n).matches())) {
            throw new UsageException("--hooks '" + options.hooks() + "' matches no hook of this "
                    + family(model)
                    + " (list them with: attn-studio hooks)");
        }
        return hooks;
    }

    /** A cache hook of a decode pass: in the decoder stack of an encoder-decoder. */
    private static String pastHook(Capabilities model, HookName.Block hook, int layer) {
        return model.readsSource() ? HookName.Stack.DECODER.at(hook, layer) : hook.at(layer);
    }

    /** "11 tokens", or for a batch "2 prompts padded right to 9 tokens with id 0 = [PAD]". */
    private String describe(Batch batch, Tokenizer tokenizer) {
        if (batch.size() == 1) {
            return batch.length() + " tokens";
        }
        if (!batch.padded()) {
            return batch.size() + " prompts of " + batch.length() + " tokens";
        }
        return String.format(Locale.ROOT, "%d prompts padded %s to %d tokens with id %d%s", batch.size(),
                options.padding().name().toLowerCase(Locale.ROOT), batch.length(), options.padId(),
                tokenizer == null ? "" : " = " + tokenizer.decode(options.padId()));
    }

    /** The weights' SHA-256, as an IOException-free usage error when a file cannot be read. */
    private Manifest.Weights weights(ModelSource source) throws IOException {
        if (!source.exists()) {
            return new Manifest.Weights(List.of(), null); // the load reports what is missing
        }
        long start = System.nanoTime();
        Manifest.Weights weights = WeightsDigest.of(source);
        long bytes = weights.files().stream().mapToLong(Manifest.WeightFile::bytes).sum();
        if (bytes > 0) {
            log.printf(Locale.ROOT, "hashed %d weight file%s (%.1f MiB, SHA-256) in %d ms%n", weights.files().size(),
                    weights.files().size() == 1 ? "" : "s", bytes / (1024.0 * 1024.0), (System.nanoTime() - start) / 1_000_000);
        }
        return weights;
    }

    /** step-001, step-002, ...: zero-padded to at least three digits so they sort by name. */
    static String stepFolder(int index, int count) {
        return BundleWriter.stepFolder(index, count);
    }

    static String deviceName(LoadedModel loaded) {
        return BundleWriter.deviceName(loaded);
    }

    private static String describe(SamplingConfig s) {
        return String.format(Locale.ROOT, "temperature %s, top-k %d, top-p %s, seed %d", s.temperature(), s.topK(),
                s.topP(), s.seed());
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
