package dev.attnstudio.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code attn-studio trace}'s command line as picocli reads it: every value as the user typed it, checked and
 * converted afterwards by {@link TraceOptions#of}, whose messages say what to change. The options and their help are
 * in {@link TraceOptions#USAGE}.
 */
@Command(name = "trace")
final class TraceArgs {

    @Option(names = {"-h", "--help"}, usageHelp = true)
    boolean help;

    @Option(names = "--model")
    String model;

    @Option(names = "--prompt")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--pair")
    String pair;

    @Option(names = "--ids")
    String ids;

    @Option(names = "--decoder-ids")
    String decoderIds;

    @Option(names = "--padding")
    String padding;

    @Option(names = "--pad-id")
    String padId;

    @Option(names = "--tokenizer")
    String tokenizer;

    @Option(names = "--hooks")
    String hooks;

    @Option(names = "--out")
    String out;

    @Option(names = "--generate")
    String generate;

    @Option(names = "--temperature")
    String temperature;

    @Option(names = "--top-k")
    String topK;

    @Option(names = "--top-p")
    String topP;

    @Option(names = "--seed")
    String seed;

    @Option(names = "--device")
    String device;

    @Option(names = "--capture")
    String capture;

    @Option(names = "--intervene")
    List<String> interventions = new ArrayList<>();

    @Option(names = "--mask-bug")
    List<String> maskBugs = new ArrayList<>();

    @Option(names = "--force")
    boolean force;

    @Option(names = "--debug")
    boolean debug;
}
