package dev.attnstudio.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attnstudio.engine.diagnose.diff.CheckpointDiff;
import dev.attnstudio.engine.diagnose.heads.InductionProbe;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code attn-studio diff}: two checkpoints of one architecture, head by head, on the same prompts. */
final class DiffCommand {

    /** Heads listed in the printed summary, most changed first. */
    static final int LISTED = 10;

    private final DiffArgs args;
    private final PrintStream out;
    private final PrintStream log;

    DiffCommand(DiffArgs args, PrintStream out, PrintStream log) {
        this.args = args;
        this.out = out;
        this.log = log;
    }

    int run() throws IOException {
        if (args.model == null || args.against == null) {
            throw new UsageException("give both checkpoints: --model <A> --against <B>");
        }
        PromptSet prompts = PromptSet.of(args.prompts, args.promptsFile, args.ids);
        DjlRuntime.DeviceChoice device = TraceOptions.device(args.device);
        Path outDir = args.out == null ? null : Path.of(args.out).toAbsolutePath().normalize();
        log.println("loading " + args.model + " and " + args.against + " ...");
        try (LoadedModel a = TraceCommand.locate(args.model, null).open(device);
             LoadedModel b = TraceCommand.locate(args.against, null).open(device)) {
            List<Batch> batches = prompts.batches(a);
            CheckpointDiff diff = CheckpointDiff.of(a.model(), b.model(), batches, InductionProbe.forModel(a.model()));
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                    "%s against %s: mean KL of the outputs %.4f nats per token%n%-12s %8s %10s %12s%n", a.name(), b.name(),
                    diff.meanKl(), "head", "JS", "entropy Δ", "induction Δ"));
            diff.heads().stream().sorted(Comparator.comparingDouble(CheckpointDiff.HeadDiff::js).reversed()).limit(LISTED)
                    .forEach(h -> text.append(String.format(Locale.ROOT, "%-12s %8.4f %+10.3f %+12.3f%n",
                            (h.site().equals("self") ? "" : h.site() + " ") + "L" + h.layer() + " H" + h.head(), h.js(),
                            h.entropyDelta(), h.inductionDelta())));
            out.print(text);
            if (outDir != null) {
                Files.createDirectories(outDir);
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("model", a.name());
                json.put("against", b.name());
                json.put("mean_kl", diff.meanKl());
                json.put("token_kl", diff.tokenKl());
                json.put("heads", diff.heads());
                TraceFolder.writeAtomically(outDir.resolve("diff.json"), new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
                log.println("wrote diff.json to " + outDir);
            }
            return 0;
        }
    }
}
