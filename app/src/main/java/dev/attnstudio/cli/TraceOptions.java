package dev.attnstudio.cli;

import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The options of {@code attn-studio trace}, parsed and checked before any model is loaded.
 *
 * @param model     a model folder, a BERT {@code .onnx} file, or the name of a bundled sample
 * @param prompts   texts to tokenize, one batch row each (empty when {@code ids} is given)
 * @param pair      segment B, read after each prompt as a sentence pair (encoders only), or null
 * @param ids       token ids of a single row, or null when {@code prompts} are given
 * @param decoderIds (encoder-decoders) the decoder's teacher-forced input, starting with the decoder start token, or
 *                  null to start from that token alone
 * @param padding   which end of a shorter row gets padding
 * @param padId     the token id written into padding positions (they are masked out of attention)
 * @param tokenizer a tokenizer.json for a {@code .onnx} model, or null to look next to the file
 * @param hooks     glob over hook names (see {@code HookName.glob}); {@code **} writes every hook
 * @param out       the folder (or .npz archive) the trace bundle is written into
 * @param generate  tokens to generate after the prompt
 * @param interventions what --intervene and --mask-bug apply, in order
 * @param strict    exit 1 when a pass computed a value that is not finite (NaN or an infinity outside the mask)
 */
record TraceOptions(String model, List<String> prompts, String pair, long[] ids, long[] decoderIds,
                    Batch.Padding padding, long padId,
                    Path tokenizer, String hooks, Path out, int generate, SamplingConfig sampling,
                    DjlRuntime.DeviceChoice device, Capture capture, Interventions interventions, boolean force,
                    boolean strict) {

    static final String USAGE = """
            usage: attn-studio trace --model <folder|file.onnx|sample> (--prompt <text>... | --ids <id,id,...>) --out <dir|file.npz> [options]

            Runs prompts through the model (decoders and encoder-decoders: then generates tokens one at a time)
            and writes every hook of every pass as <hook name>.npy (float32, C order; numpy.load reads it), the
            pass's inputs as input_ids.npy, token_type_ids.npy and attention_mask.npy (int64 [B, T]; a decoder's
            types are 0 and its mask 1; an encoder-decoder adds decoder_input_ids.npy), and a manifest.json
            describing the run. The prompt's pass goes into <dir>, the pass that reads generated token k into
            <dir>/step-00k/. An encoder-decoder (T5) reads --prompt or --ids with its encoder and writes
            encoder.blocks.{i}.*, decoder.blocks.{i}.* (self-attention attn.*, cross-attention cross_attn.*) and
            hook_logits. With --out <file>.npz the same entries go into one NumPy archive (numpy.load(f)["hook_logits"];
            the manifest is the entry manifest.json), which the app opens without the model: File > Open trace...

              --model <folder|file|name> a Hugging Face folder (config.json, model.safetensors, optional
                                        tokenizer.json; the families: attn-studio --help), a BERT encoder
                                        exported to .onnx, or a bundled sample: %s
              --prompt <text>           text to tokenize (the model needs a tokenizer). Repeat it to trace several
                                        prompts as one batch, padded to the longest
              --pair <text>             (encoders) a second segment read after each prompt: [CLS] prompt [SEP]
                                        pair [SEP], with token type 1 on the pair
              --ids <3,17,5>            token ids of one row instead of text
              --decoder-ids <0,17,5>    (encoder-decoders) the decoder's input, teacher-forced: the decoder start
                                        token, then the tokens to read (default: the start token alone)
              --padding <right|left>    which end of a shorter prompt is padded (default right); padding is
                                        masked out: no query attends to it
              --pad-id <N>              the id written into padding (default 0, which is [PAD] in BERT
                                        vocabularies; check your tokenizer if it is not BERT's)
              --tokenizer <file>        the tokenizer.json of a .onnx model (default: tokenizer.json next to it;
                                        without one only --ids works)
              --out <dir|file.npz>      output folder (refused if it already holds a manifest.json), or one .npz
                                        archive (refused if it exists); written atomically, the manifest last
              --hooks <glob>            hooks to write (default: all). '*' matches within a dot-separated part,
                                        '**' across parts: 'blocks.*.attn.hook_pattern', '**hook_z', 'hook_logits'
                                        (list them with: attn-studio hooks)
              --generate <N>            (decoders and encoder-decoders, one prompt) tokens to generate after the
                                        prompt, or after the decoder input (default 0)
              --temperature <T>         0 = greedy, the default; else sample from softmax(logits / T)
              --top-k <K>               sample among the K most likely tokens only (default 0 = all)
              --top-p <P>               sample among the fewest tokens reaching probability P (default 1)
              --seed <S>                seed of the sampler; the same seed replays the same tokens (default 0)
              --device <auto|cpu|gpu>   where tensors live (default auto: a GPU if DJL sees one)
              --capture <compact|full>  compact (default) recomputes cheap intermediates when they are written;
                                        full keeps every tensor in memory during the run
              --intervene <spec>        change the forward pass; repeat for several (see Interventions below)
              --mask-bug <name>         inject one of the six classic mask bugs (see below); repeatable
              --force                   replace the trace in --out (deletes the files its manifest lists)
              --strict                  exit 1 when a value of the run is not finite (NaN, or an infinity outside
                                        the mask); without it the first such step is a warning. The bundle is
                                        written either way
              --debug                   print stack traces on errors
              --help                    this text

            Examples:
              attn-studio trace --model random-gpt2-tiny --prompt "Hello there" --generate 5 --out /tmp/gpt2
              attn-studio trace --model all-minilm-l6-v2 --prompt "The cat sat." --prompt "A much longer second sentence here." --padding right --out /tmp/minilm
              attn-studio trace --model all-minilm-l6-v2 --prompt "Who sat?" --pair "The cat sat." --out /tmp/pair
              attn-studio trace --model reverse-t5 --prompt "attention" --generate 10 --out /tmp/t5
              attn-studio trace --model reverse-t5 --ids 3,4,5,1 --decoder-ids 0,5,4 --out /tmp/t5-forced
              attn-studio trace --model tiny-gpt --prompt "And God said" --intervene ablate:0.1 --mask-bug off-by-one --out /tmp/bugged

            Interventions (--intervene <spec>; --mask-bug <name> is --intervene mask-bug:<name>):
            %s
            """;

    TraceOptions {
        prompts = prompts == null ? List.of() : List.copyOf(prompts);
    }

    /** Checks and converts what picocli read for {@code trace}. */
    static TraceOptions of(TraceArgs a) {
        Map<String, String> given = new HashMap<>();
        putIfGiven(given, "--pair", a.pair);
        putIfGiven(given, "--ids", a.run.ids);
        putIfGiven(given, "--decoder-ids", a.decoderIds);
        putIfGiven(given, "--padding", a.padding);
        putIfGiven(given, "--pad-id", a.padId);
        putIfGiven(given, "--tokenizer", a.tokenizer);
        putIfGiven(given, "--hooks", a.hooks);
        putIfGiven(given, "--out", a.out);
        putIfGiven(given, "--generate", a.generate);
        putIfGiven(given, "--temperature", a.temperature);
        putIfGiven(given, "--top-k", a.topK);
        putIfGiven(given, "--top-p", a.topP);
        putIfGiven(given, "--seed", a.seed);
        putIfGiven(given, "--capture", a.capture);
        if (a.force) {
            given.put("--force", "");
        }
        List<String> prompts = a.run.prompts;
        Interventions interventions = a.run.parsedInterventions();

        String model = a.run.requireModel();
        String idList = given.get("--ids");
        if (!prompts.isEmpty() && idList != null) {
            throw new UsageException("give either --prompt or --ids, not both");
        }
        if (prompts.isEmpty() && idList == null) {
            throw new UsageException("missing input: give --prompt <text> or --ids <id,id,...>");
        }
        String decoderIdList = given.get("--decoder-ids");
        long[] decoderIds = decoderIdList == null ? null : parseIds("--decoder-ids", decoderIdList);
        String pair = given.get("--pair");
        if (pair != null && idList != null) {
            throw new UsageException("--pair is text read after each --prompt; with --ids, write the pair's ids "
                    + "into the list");
        }
        String outText = given.get("--out");
        if (outText == null || outText.isBlank()) {
            throw new UsageException("missing --out <dir>: the folder the .npy files and manifest.json go into "
                    + "(or a file.npz to write one archive)");
        }
        Path out = path("--out", outText);

        Batch.Padding padding = switch (given.getOrDefault("--padding", "right").strip().toLowerCase(Locale.ROOT)) {
            case "right" -> Batch.Padding.RIGHT;
            case "left" -> Batch.Padding.LEFT;
            default -> throw new UsageException("--padding must be right or left, was '" + given.get("--padding") + "'");
        };
        long padId = longOption(given, "--pad-id", 0);
        if (padId < 0) {
            throw new UsageException("--pad-id must be a token id (0 or more), was " + padId);
        }
        Path tokenizer = null;
        if (given.containsKey("--tokenizer")) {
            if (!model.strip().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
                throw new UsageException("--tokenizer goes with a .onnx model; a model folder or a sample brings its "
                        + "own tokenizer.json");
            }
            tokenizer = path("--tokenizer", given.get("--tokenizer"));
            if (!Files.isRegularFile(tokenizer)) {
                throw new UsageException("--tokenizer: no file at " + tokenizer.toAbsolutePath().normalize());
            }
        }

        int generate = intOption(given, "--generate", 0);
        if (generate < 0) {
            throw new UsageException("--generate must be 0 or more, was " + generate);
        }
        SamplingConfig sampling;
        try {
            sampling = new SamplingConfig(doubleOption(given, "--temperature", 0), intOption(given, "--top-k", 0),
                    doubleOption(given, "--top-p", 1), longOption(given, "--seed", 0));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        DjlRuntime.DeviceChoice device = a.run.deviceChoice();
        Capture capture = switch (given.getOrDefault("--capture", "compact")) {
            case "compact" -> Capture.COMPACT;
            case "full" -> Capture.FULL;
            default -> throw new UsageException("--capture must be compact or full, was '" + given.get("--capture") + "'");
        };
        String hooks = given.getOrDefault("--hooks", "**");
        if (hooks.isBlank()) {
            throw new UsageException("--hooks is empty (leave it out to write every hook)");
        }
        return new TraceOptions(model, prompts, pair, idList == null ? null : parseIds("--ids", idList), decoderIds,
                padding, padId,
                tokenizer, hooks, out, generate, sampling, device, capture, interventions, given.containsKey("--force"),
                a.strict);
    }

    private static void putIfGiven(Map<String, String> given, String name, String value) {
        if (value != null) {
            given.put(name, value);
        }
    }

    /** What --intervene and --mask-bug ask for, in order, parsed against the engine's catalogue. */
    static Interventions interventions(List<String> specs, List<String> bugs) {
        Interventions interventions = Interventions.NONE;
        for (String spec : specs) {
            interventions = interventions.with(intervention("--intervene", spec));
        }
        for (String bug : bugs) {
            interventions = interventions.with(intervention("--mask-bug", bug));
        }
        return interventions;
    }

    /** --device: auto (the default), cpu or gpu. */
    static DjlRuntime.DeviceChoice device(String text) {
        try {
            return DjlRuntime.DeviceChoice.parse(text == null ? "auto" : text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--device: " + e.getMessage());
        }
    }

    /** One --intervene spec or --mask-bug name, parsed against the engine's catalogue. */
    private static Intervention intervention(String option, String value) {
        try {
            return Interventions.parse(option.equals("--mask-bug") ? "mask-bug:" + value.strip() : value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }

    /** The usage text, with the bundled samples and every intervention, one line each. */
    static String usage(String samples) {
        StringBuilder list = new StringBuilder();
        for (Interventions.Entry e : Interventions.catalogue()) {
            list.append(String.format(Locale.ROOT, "  %-26s%s%n", e.syntax(), e.help()));
        }
        return USAGE.formatted(samples, list.toString().stripTrailing());
    }

    /** The rows of the batch: one per prompt, or one for --ids. */
    int rows() {
        return ids != null ? 1 : prompts.size();
    }

    private static Path path(String option, String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new UsageException(option + " '" + text + "' is not a valid path: " + e.getReason());
        }
    }

    /** "3,17,5" (spaces allowed) to ids; the range is checked against the model's vocabulary later. */
    static long[] parseIds(String option, String text) {
        String[] parts = text.strip().split("\\s*,\\s*|\\s+");
        if (text.isBlank()) {
            throw new UsageException(option + " is empty: give token ids like 3,17,5");
        }
        long[] ids = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new UsageException(option + " takes comma-separated token ids like 3,17,5; '" + parts[i]
                        + "' is not a whole number");
            }
        }
        return ids;
    }

    private static int intOption(Map<String, String> given, String name, int fallback) {
        String v = given.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " takes a whole number, was '" + v + "'");
        }
    }

    private static long longOption(Map<String, String> given, String name, long fallback) {
        String v = given.get(name);
        try {
            return v == null ? fallback : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " takes a whole number, was '" + v + "'");
        }
    }

    private static double doubleOption(Map<String, String> given, String name, double fallback) {
        String v = given.get(name);
        try {
            return v == null ? fallback : Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " takes a number, was '" + v + "'");
        }
    }
}
