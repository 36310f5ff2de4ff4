package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attnstudio.engine.diagnose.Severity;
import dev.attnstudio.engine.diagnose.SpecialTokens;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import dev.attnstudio.engine.diagnose.lens.LogitLens;
import dev.attnstudio.engine.diagnose.lint.FindingKind;
import dev.attnstudio.engine.diagnose.report.Diagnoses;
import dev.attnstudio.engine.diagnose.report.Diagnosis;
import dev.attnstudio.engine.diagnose.report.DiagnosisJson;
import dev.attnstudio.engine.diagnose.rollout.AttentionRollout;
import dev.attnstudio.engine.diagnose.rollout.LayerPatterns;
import dev.attnstudio.engine.diagnose.rollout.Rollout;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.ModelSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * {@code attn-studio diagnose}: runs every diagnostic of the engine on the prompts, prints the summary, writes the
 * report files, and exits 1 when something at error level (or named in {@code --fail-on}) was found, so a script or
 * a CI job can gate on attention health.
 */
final class DiagnoseCommand {

    /** Kinds {@code --fail-on} takes besides each finding kind and head flag: attention on keys the mask forbids. */
    static final String MASK_LEAK = "mask-leak";
    private static final Set<FindingKind> LEAKS = Set.of(FindingKind.FUTURE_KEY_MASS, FindingKind.PADDING_KEY_MASS,
            FindingKind.SEGMENT_CROSSING);

    private final DiagnoseArgs args;
    private final PrintStream out;
    private final PrintStream log;

    DiagnoseCommand(DiagnoseArgs args, PrintStream out, PrintStream log) {
        this.args = args;
        this.out = out;
        this.log = log;
    }

    int run() throws IOException {
        String model = args.run.requireModel();
        PromptSet prompts = PromptSet.of(args.run.prompts, args.promptsFile, args.run.ids);
        Set<String> failOn = failOn(args.failOn);
        Interventions interventions = args.run.parsedInterventions();
        DjlRuntime.DeviceChoice device = args.run.deviceChoice();
        Path outDir = args.out == null ? null : Path.of(args.out).toAbsolutePath().normalize();
        if (outDir != null && Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new UsageException("--out " + outDir + " is a file, not a folder");
        }
        ModelSource source = TraceCommand.locate(model, null);
        log.println("loading model " + model + " ...");
        try (LoadedModel loaded = source.open(device)) {
            Capabilities c = loaded.model().capabilities();
            interventions.check(c);
            List<Batch> batches = prompts.batches(loaded);
            Tokenizer tokenizer = loaded.tokenizer();
            LongFunction<String> decode = tokenizer == null ? null : tokenizer::decode;
            SpecialTokens special = SpecialTokens.of(prompts.encodings(tokenizer).toArray(Tokenizer.Tokens[]::new));
            Diagnoses.Options options = Diagnoses.Options.DEFAULT.withInterventions(interventions)
                    .withCard(Diagnoses.Options.DEFAULT.card().withSpecial(special));
            log.printf(Locale.ROOT, "diagnosing %s on %d pass%s%s ...%n", loaded.name(), batches.size(),
                    batches.size() == 1 ? "" : "es", interventions.any() ? " under " + String.join(", ", interventions.specs()) : "");
            long start = System.nanoTime();
            Diagnosis d = Diagnoses.of(loaded.name(), loaded.model(), decode, batches, options);
            log.printf(Locale.ROOT, "done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            List<String> failing = failing(d, failOn);
            String summary = DiagnosisSummary.markdown(d, failing);
            out.print(summary);
            if (outDir != null) {
                write(outDir, d, summary, loaded, batches.get(0), decode);
            }
            return d.severity() == Severity.ERROR || !failing.isEmpty() ? 1 : 0;
        }
    }

    /** The kinds named in {@code --fail-on}, checked against what can be found. */
    static Set<String> failOn(String text) {
        Set<String> kinds = new LinkedHashSet<>();
        if (text == null || text.isBlank()) {
            return kinds;
        }
        List<String> known = Stream.concat(Stream.of(MASK_LEAK), Stream.concat(
                Arrays.stream(FindingKind.values()).map(DiagnoseCommand::kebab),
                Arrays.stream(HeadFlag.Kind.values()).map(DiagnoseCommand::kebab))).toList();
        for (String kind : text.split("\\s*,\\s*")) {
            String k = kind.strip().toLowerCase(Locale.ROOT);
            if (!known.contains(k)) {
                throw new UsageException("--fail-on: '" + kind + "' is not a kind of finding (kinds: " + String.join(", ", known) + ")");
            }
            kinds.add(k);
        }
        return kinds;
    }

    /** "what: where" for every finding and flag whose kind {@code --fail-on} names. */
    private static List<String> failing(Diagnosis d, Set<String> failOn) {
        Stream<String> findings = d.findings().stream()
                .filter(f -> failOn.contains(kebab(f.kind())) || (failOn.contains(MASK_LEAK) && LEAKS.contains(f.kind())))
                .map(f -> kebab(f.kind()) + " at layer " + f.layer() + (f.head() >= 0 ? " head " + f.head() : ""));
        Stream<String> flags = d.card().heads().stream().flatMap(h -> h.flags().stream()
                .filter(f -> failOn.contains(kebab(f.kind()))).map(f -> kebab(f.kind()) + " " + h.name()));
        return Stream.concat(findings, flags).toList();
    }

    static String kebab(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private void write(Path dir, Diagnosis d, String summary, LoadedModel loaded, Batch first, LongFunction<String> decode)
            throws IOException {
        Files.createDirectories(dir);
        DiagnosisJson.write(d, dir.resolve("diagnosis.json"));
        TraceFolder.writeAtomically(dir.resolve("diagnosis.md"), summary.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Capabilities c = loaded.model().capabilities();
        try (Stepper s = new Stepper(loaded.model(), Stepper.Options.DEFAULT.withCapture(Capture.COMPACT).withCache(false))) {
            s.reset(first);
            s.runToEnd();
            writeRollout(dir.resolve("rollout.npy"), c, s, loaded, first);
            if (c.generates()) {
                List<LogitLens.Stage> lens = LogitLens.of(loaded.model(), s, 0, 5, decode);
                TraceFolder.writeAtomically(dir.resolve("logit_lens.json"), new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(lens));
            }
        }
        log.println("wrote diagnosis.json, diagnosis.md, rollout.npy" + (c.generates() ? ", logit_lens.json" : "")
                + " to " + dir);
    }

    /** The whole-model rollout of every row of the first pass, [B, T, T]; padding positions are zeros. */
    private static void writeRollout(Path file, Capabilities c, Stepper s, LoadedModel loaded, Batch batch)
            throws IOException {
        int b = batch.size();
        int t = batch.length();
        float[] all = new float[b * t * t];
        for (int row = 0; row < b; row++) {
            Rollout r = AttentionRollout.of(LayerPatterns.of(c, s, row), loaded.model().manager(), false);
            int[] at = r.positions();
            for (int i = 0; i < at.length; i++) {
                for (int j = 0; j < at.length; j++) {
                    all[(row * t + at[i]) * t + at[j]] = r.weight(i, j);
                }
            }
        }
        Npy.writeFloat32(file, new long[] {b, t, t}, all);
    }
}
