package dev.attnstudio.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code attn-studio trace}'s command line as picocli reads it: every value as the user typed it, checked and
 * converted afterwards by {@link TraceOptions#of}, whose messages say what to change. The options and their help are
 * in {@link TraceOptions#USAGE}.
 */
@Command(name = "trace")
final class TraceArgs {

    /** --model, --prompt, --ids, --device, --intervene, --mask-bug, --debug, --help. */
    @Mixin
    ModelRunArgs run = new ModelRunArgs();

    @Option(names = "--pair")
    String pair;

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

    @Option(names = "--capture")
    String capture;

    @Option(names = "--force")
    boolean force;

    @Option(names = "--strict")
    boolean strict;
}
