package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.app.bundle.Manifest;
import dev.attnstudio.app.export.Caption;
import dev.attnstudio.app.export.Svg;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.step.Trace;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.ModelSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code attn-studio export}: runs the prompts and writes every selected layer, head and stage of the attention as a
 * picture (the app's own rendering, with its caption) or as numbers, with a manifest listing every file.
 */
final class ExportCommand {

    /** The stages export knows, by the name --stages takes, with their hooks (all [B, H, T, K]). */
    static final Map<String, HookName.Block> STAGES = stages();
    static final List<String> FORMATS = List.of("png", "svg", "npy", "json");
    /** An attention sub-layer's hook: layer in group 1, the hook (after attn.) in group 2. */
    private static final Pattern ATTN_HOOK = Pattern.compile("(?:^|\\.)blocks\\.(\\d+)\\.(?:cross_)?attn\\.(hook_\\w+)$");

    private final ExportArgs args;
    private final PrintStream log;

    ExportCommand(ExportArgs args, PrintStream log) {
        this.args = args;
        this.log = log;
    }

    private static Map<String, HookName.Block> stages() {
        Map<String, HookName.Block> m = new LinkedHashMap<>();
        m.put("pattern", HookName.Block.PATTERN);
        m.put("scores", HookName.Block.ATTN_SCORES);
        m.put("scores-unmasked", HookName.Block.ATTN_SCORES_UNMASKED);
        m.put("qk-raw", HookName.Block.QK_RAW);
        return m;
    }

    int run() throws IOException {
        String model = args.run.requireModel();
        if (args.out == null || args.out.isBlank()) {
            throw new UsageException("missing --out: the folder the files are written into");
        }
        String format = args.format == null ? "png" : args.format.strip().toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new UsageException("--format takes " + String.join(", ", FORMATS) + "; was '" + args.format + "'");
        }
        double scale = scale(args.scale);
        List<String> stageNames = stageNames(args.stages);
        PromptSet prompts = PromptSet.of(args.run.prompts, args.promptsFile, args.run.ids);
        Interventions interventions = args.run.parsedInterventions();
        DjlRuntime.DeviceChoice device = args.run.deviceChoice();
        Path out = Path.of(args.out).toAbsolutePath().normalize();
        TraceFolder.check(out, args.force);
        ModelSource source = TraceCommand.locate(model, null);
        log.println("loading model " + model + " ...");
        try (LoadedModel loaded = source.open(device)) {
            interventions.check(loaded.model().capabilities());
            List<Integer> layers = select("--layers", args.layers, loaded.config().nLayer(), "layer");
            List<Integer> heads = select("--heads", args.heads, loaded.config().nHead(), "head");
            List<Batch> batches = prompts.batches(loaded);
            ExportPictures pictures = format.equals("png") ? ExportPictures.start() : null;
            Files.createDirectories(out);
            Files.deleteIfExists(out.resolve(Manifest.FILE_NAME)); // --force: checked above
            Tokenizer tokenizer = loaded.tokenizer();
            List<ExportManifest.Prompt> promptEntries = new ArrayList<>();
            List<ExportManifest.FileEntry> files = new ArrayList<>();
            int count = 0;
            long start = System.nanoTime();
            try (Stepper stepper = new Stepper(loaded.model(), Stepper.Options.DEFAULT.withInterventions(interventions))) {
                for (Batch batch : batches) {
                    stepper.reset(batch);
                    stepper.runToEnd();
                    Trace trace = stepper.groups().get(0).trace();
                    List<String> hooks = hooks(trace, stageNames, layers);
                    for (int b = 0; b < batch.size(); b++) {
                        int prompt = promptEntries.size();
                        long[] ids = batch.ids()[b];
                        List<String> labels = labels(tokenizer, ids);
                        String text = args.run.ids != null ? null : prompts.text(prompt);
                        promptEntries.add(new ExportManifest.Prompt(prompt, text, ids, tokenizer == null ? null : labels));
                        for (String hook : hooks) {
                            TensorData t = trace.read(hook);
                            Matcher m = ATTN_HOOK.matcher(hook);
                            m.find();
                            int layer = Integer.parseInt(m.group(1));
                            String stage = stageOf(m.group(2));
                            int rows = (int) t.shape()[2];
                            int cols = (int) t.shape()[3];
                            for (int h : heads) {
                                float[] values = slice(t, b, h);
                                String name = hook + ".h" + h + (promptsTotal(prompts) > 1 ? ".p" + prompt : "") + "." + format;
                                Path file = out.resolve(name);
                                Heatmap map = Heatmap.of(hook, h, (int) t.shape()[1], rows, cols, values,
                                        fit(labels, rows), fit(labels, cols));
                                Caption caption = Caption.forHeatmap(loaded.name(), text == null ? ids(ids) : text, map);
                                int[] size = write(format, file, map, caption, pictures, scale, layer, h, stage);
                                files.add(new ExportManifest.FileEntry(hook, stage, layer, h, prompt, name,
                                        new long[] {rows, cols}, size == null ? null : size[0], size == null ? null : size[1]));
                                count++;
                                if (count % 16 == 0) {
                                    log.printf(Locale.ROOT, "wrote %d files ...%n", count);
                                }
                            }
                        }
                    }
                }
            }
            ExportManifest manifest = new ExportManifest(ExportManifest.FORMAT_VERSION, "attn-studio export",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), TraceCommand.entry(source, loaded),
                    TraceCommand.deviceName(loaded), format, layers, heads, stageNames, promptEntries,
                    interventions.applied().stream().map(i -> new Manifest.Applied(i.spec(), i.label())).toList(), files);
            TraceFolder.writeAtomically(out.resolve(Manifest.FILE_NAME), Manifest.mapper().writeValueAsBytes(manifest));
            log.printf(Locale.ROOT, "wrote %d %s files and manifest.json to %s in %d ms%n", count, format, out,
                    (System.nanoTime() - start) / 1_000_000);
            return 0;
        }
    }

    private static int promptsTotal(PromptSet prompts) {
        return prompts.size();
    }

    /** Row {@code b}, head {@code h} of a [B, H, T, K] tensor: its [T, K] map. */
    static float[] slice(TensorData t, int b, int h) {
        long[] s = t.shape();
        int size = (int) (s[2] * s[3]);
        float[] out = new float[size];
        System.arraycopy(t.values(), (int) ((b * s[1] + h) * size), out, 0, size);
        return out;
    }

    /** The token labels when they name {@code n} positions, else the positions' numbers (cross-attention's keys). */
    private static List<String> fit(List<String> labels, int n) {
        if (labels.size() == n) {
            return labels;
        }
        List<String> numbers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            numbers.add(String.valueOf(i));
        }
        return numbers;
    }

    /** Writes one head's map; returns a png's {width, height} in pixels, else null. */
    private int[] write(String format, Path file, Heatmap map, Caption caption, ExportPictures pictures, double scale,
                        int layer, int head, String stage) throws IOException {
        switch (format) {
            case "npy" -> Npy.writeFloat32(file, new long[] {map.rows(), map.cols()}, map.values());
            case "svg" -> TraceFolder.writeAtomically(file, Svg.heatmap(map, caption).getBytes(StandardCharsets.UTF_8));
            case "json" -> TraceFolder.writeAtomically(file, json(map, layer, head, stage));
            default -> {
                return pictures.png(map, stage, caption, scale, file);
            }
        }
        return null;
    }

    private static byte[] json(Heatmap map, int layer, int head, String stage) throws IOException {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("hook", map.name());
        j.put("stage", stage);
        j.put("layer", layer);
        j.put("head", head);
        j.put("shape", new int[] {map.rows(), map.cols()});
        j.put("query_tokens", map.rowLabels());
        j.put("key_tokens", map.colLabels());
        List<List<Float>> rows = new ArrayList<>();
        for (int r = 0; r < map.rows(); r++) {
            List<Float> row = new ArrayList<>(map.cols());
            for (int c = 0; c < map.cols(); c++) {
                float v = map.get(r, c);
                row.add(Float.isFinite(v) ? v : null);
            }
            rows.add(row);
        }
        j.put("values", rows);
        j.put("masked", "null marks a masked (-inf) cell");
        return new ObjectMapper().writeValueAsBytes(j);
    }

    /** The attention hooks of the pass for the selected stages and layers, in program order. */
    private static List<String> hooks(Trace trace, List<String> stageNames, List<Integer> layers) {
        Set<String> suffixes = new LinkedHashSet<>();
        for (String s : stageNames) {
            String hook = STAGES.get(s).at(0);
            suffixes.add(hook.substring(hook.lastIndexOf('.') + 1));
        }
        List<String> hooks = new ArrayList<>();
        for (String name : trace.program().names()) {
            Matcher m = ATTN_HOOK.matcher(name);
            if (m.find() && suffixes.contains(m.group(2)) && layers.contains(Integer.parseInt(m.group(1)))
                    && trace.available(name)) {
                hooks.add(name);
            }
        }
        if (hooks.isEmpty()) {
            throw new UsageException("this model computes none of the stages " + String.join(", ", stageNames)
                    + " in the layers asked for");
        }
        return hooks;
    }

    /** The --stages name of a hook (hook_pattern: pattern). */
    private static String stageOf(String hook) {
        for (Map.Entry<String, HookName.Block> e : STAGES.entrySet()) {
            if (e.getValue().at(0).endsWith("." + hook)) {
                return e.getKey();
            }
        }
        return hook;
    }

    static List<String> stageNames(String text) {
        if (text == null || text.isBlank()) {
            return List.of("pattern");
        }
        Set<String> names = new LinkedHashSet<>();
        for (String s : text.split(",")) {
            String k = s.strip().toLowerCase(Locale.ROOT).replace('_', '-');
            if (!STAGES.containsKey(k)) {
                throw new UsageException("--stages: unknown stage '" + s.strip() + "' (stages: "
                        + String.join(", ", STAGES.keySet()) + ")");
            }
            names.add(k);
        }
        return List.copyOf(names);
    }

    /** "all" or a comma list of indices below {@code count}. */
    static List<Integer> select(String option, String text, int count, String what) {
        List<Integer> all = new ArrayList<>();
        if (text == null || text.isBlank() || text.strip().equalsIgnoreCase("all")) {
            for (int i = 0; i < count; i++) {
                all.add(i);
            }
            return all;
        }
        Set<Integer> picked = new LinkedHashSet<>();
        for (String s : text.split(",")) {
            int i;
            try {
                i = Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                throw new UsageException(option + " takes 'all' or numbers separated by commas, like 0,2; was '" + text + "'");
            }
            if (i < 0 || i >= count) {
                throw new UsageException(option + ": " + what + " " + i + " does not exist; this model has " + count + " ("
                        + "0.." + (count - 1) + ")");
            }
            picked.add(i);
        }
        return List.copyOf(picked);
    }

    static double scale(String text) {
        if (text == null) {
            return 2;
        }
        double s;
        try {
            s = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--scale takes a number from 1 to 8, was '" + text + "'");
        }
        if (!(s >= 1 && s <= 8)) {
            throw new UsageException("--scale takes a number from 1 to 8, was " + text);
        }
        return s;
    }

    private static List<String> labels(Tokenizer tokenizer, long[] ids) {
        List<String> labels = new ArrayList<>(ids.length);
        for (long id : ids) {
            labels.add(tokenizer == null ? String.valueOf(id) : tokenizer.decode(id));
        }
        return labels;
    }

    private static String ids(long[] ids) {
        StringBuilder s = new StringBuilder("ids ");
        for (int i = 0; i < ids.length; i++) {
            s.append(i == 0 ? "" : ",").append(ids[i]);
        }
        return s.toString();
    }
}
