package dev.attnstudio.cli;

import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.runtime.DjlRuntime;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The options {@code trace}, {@code diagnose} and {@code export} share, as picocli reads them (a
 * {@link picocli.CommandLine.Mixin}): which model runs, on what input, where, and under which interventions. The
 * checks live here once, with the messages every command prints.
 */
final class ModelRunArgs {

    @Option(names = {"-h", "--help"}, usageHelp = true)
    boolean help;

    @Option(names = "--model")
    String model;

    @Option(names = "--prompt")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--ids")
    String ids;

    @Option(names = "--device")
    String device;

    @Option(names = "--intervene")
    List<String> interventions = new ArrayList<>();

    @Option(names = "--mask-bug")
    List<String> maskBugs = new ArrayList<>();

    @Option(names = "--debug")
    boolean debug;

    /** --model, refused when missing or blank. */
    String requireModel() {
        if (model == null || model.isBlank()) {
            throw new UsageException("missing --model: a model folder, a .onnx file or a bundled sample ("
                    + Main.sampleNames() + ")");
        }
        return model;
    }

    /** --device parsed: auto (the default), cpu or gpu. */
    DjlRuntime.DeviceChoice deviceChoice() {
        return TraceOptions.device(device);
    }

    /** What --intervene and --mask-bug ask for, in order. */
    Interventions parsedInterventions() {
        return TraceOptions.interventions(interventions, maskBugs);
    }
}
