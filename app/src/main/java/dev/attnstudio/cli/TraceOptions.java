package dev.attnstudio.cli;

import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of {@code attn-studio trace}, parsed and checked before any model is loaded.
 *
 * @param model    a model folder or the name of a bundled sample
 * @param prompt   text to tokenize, or null when {@code ids} is given
 * @param ids      token ids, or null when {@code prompt} is given
 * @param hooks    glob over hook names (see {@code HookName.glob}); {@code **} writes every hook
 * @param out      the folder the trace is written into
 * @param generate tokens to generate after the prompt
 * @param help     {@code --help} was given: print the usage and do nothing else (other fields may be null)
 */
record TraceOptions(String model, String prompt, long[] ids, String hooks, Path out, int generate,
                    SamplingConfig sampling, DjlRuntime.DeviceChoice device, Capture capture, boolean force,
                    boolean help) {

    static final String USAGE = """
            usage: attn-studio trace --model <folder|sample> (--prompt <text> | --ids <id,id,...>) --out <dir> [options]

            Runs a prompt through the model, then generates tokens one at a time, and writes every hook of
            every pass as <hook name>.npy (float32, C order; numpy.load reads it) with the pass's token ids as
            input_ids.npy (int64), and a manifest.json describing the run. The prompt's pass goes into <dir>,
            the pass that reads generated token k into <dir>/step-00k/.

              --model <folder|name>     a Hugging Face GPT-2 folder (config.json, model.safetensors, optional
                                        tokenizer.json) or a bundled sample: %s
              --prompt <text>           text to tokenize (the model needs a tokenizer.json)
              --ids <3,17,5>            token ids instead of text
              --out <dir>               output folder; refused if it already holds a manifest.json
              --hooks <glob>            hooks to write (default: all). '*' matches within a dot-separated part,
                                        '**' across parts: 'blocks.*.attn.hook_pattern', '**hook_z', 'hook_logits'
                                        (list them with: attn-studio hooks)
              --generate <N>            tokens to generate after the prompt (default 0)
              --temperature <T>         0 = greedy, the default; else sample from softmax(logits / T)
              --top-k <K>               sample among the K most likely tokens only (default 0 = all)
              --top-p <P>               sample among the fewest tokens reaching probability P (default 1)
              --seed <S>                seed of the sampler; the same seed replays the same tokens (default 0)
              --device <auto|cpu|gpu>   where tensors live (default auto: a GPU if DJL sees one)
              --capture <compact|full>  compact (default) recomputes cheap intermediates when they are written;
                                        full keeps every tensor in memory during the run
              --force                   replace the trace in --out (deletes the files its manifest lists)
              --debug                   print stack traces on errors
              --help                    this text
            """;

    private static final Set<String> FLAGS = Set.of("--force", "--debug", "--help", "-h");
    private static final Set<String> VALUED = Set.of("--model", "--prompt", "--ids", "--hooks", "--out",
            "--generate", "--temperature", "--top-k", "--top-p", "--seed", "--device", "--capture");

    /** Parses {@code trace}'s arguments (the word {@code trace} itself excluded). */
    static TraceOptions parse(List<String> args) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-")) {
                throw new UsageException("unexpected argument '" + arg + "' (quote a prompt that has spaces: --prompt \"two words\")");
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            String value = eq > 0 ? arg.substring(eq + 1) : null;
            if (FLAGS.contains(name)) {
                if (value != null) {
                    throw new UsageException(name + " takes no value");
                }
                value = "";
            } else if (VALUED.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size() || FLAGS.contains(args.get(i + 1)) || VALUED.contains(args.get(i + 1))) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args.get(++i);
                }
            } else {
                throw new UsageException("unknown option '" + name + "' for trace (see attn-studio trace --help)");
            }
            if (given.put(name.equals("-h") ? "--help" : name, value) != null) {
                throw new UsageException(name + " is given twice");
            }
        }
        if (given.containsKey("--help")) {
            return new TraceOptions(null, null, null, null, null, 0, null, null, null, false, true);
        }

        String model = given.get("--model");
        if (model == null || model.isBlank()) {
            throw new UsageException("missing --model: a model folder or a bundled sample (" + Main.sampleNames() + ")");
        }
        String prompt = given.get("--prompt");
        String idList = given.get("--ids");
        if (prompt != null && idList != null) {
            throw new UsageException("give either --prompt or --ids, not both");
        }
        if (prompt == null && idList == null) {
            throw new UsageException("missing input: give --prompt <text> or --ids <id,id,...>");
        }
        String outText = given.get("--out");
        if (outText == null || outText.isBlank()) {
            throw new UsageException("missing --out <dir>: the folder the .npy files and manifest.json go into");
        }
        Path out;
        try {
            out = Path.of(outText);
        } catch (InvalidPathException e) {
            throw new UsageException("--out '" + outText + "' is not a valid path: " + e.getReason());
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
        DjlRuntime.DeviceChoice device;
        try {
            device = DjlRuntime.DeviceChoice.parse(given.getOrDefault("--device", "auto"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--device: " + e.getMessage());
        }
        Capture capture = switch (given.getOrDefault("--capture", "compact")) {
            case "compact" -> Capture.COMPACT;
            case "full" -> Capture.FULL;
            default -> throw new UsageException("--capture must be compact or full, was '" + given.get("--capture") + "'");
        };
        String hooks = given.getOrDefault("--hooks", "**");
        if (hooks.isBlank()) {
            throw new UsageException("--hooks is empty (leave it out to write every hook)");
        }
        return new TraceOptions(model, prompt, idList == null ? null : parseIds(idList), hooks, out, generate,
                sampling, device, capture, given.containsKey("--force"), false);
    }

    /** "3,17,5" (spaces allowed) to ids; the range is checked against the model's vocabulary later. */
    static long[] parseIds(String text) {
        String[] parts = text.strip().split("\\s*,\\s*|\\s+");
        if (text.isBlank()) {
            throw new UsageException("--ids is empty: give token ids like 3,17,5");
        }
        long[] ids = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new UsageException("--ids takes comma-separated token ids like 3,17,5; '" + parts[i]
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
