package dev.attnstudio.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code attn-studio diff}'s command line as picocli reads it; {@link DiffCommand} checks it. */
@Command(name = "diff")
final class DiffArgs {

    static final String USAGE = """
            usage: attn-studio diff --model <A> --against <B> (--prompt <text>... | --prompts <file> | --ids <id,...>) [--out <dir>]

            Compares two checkpoints of one architecture on the same prompts, head by head: the Jensen-Shannon
            divergence between their attention rows, their entropy, previous-token, duplicate-token and induction
            scores, and the KL between their output distributions token by token. Checkpoints of different
            architectures are refused, naming the difference. Prints the heads that changed most; with --out writes
            diff.json.

              --model <A>               the first checkpoint: a folder, a .onnx file or a bundled sample: %s
              --against <B>             the second, of the same architecture
              --prompt <text>           a prompt; repeat for several
              --prompts <file>          one prompt per line
              --ids <3,17,5>            token ids of one row instead of text
              --out <dir>               write diff.json into this folder
              --device <auto|cpu|gpu>   where tensors live (default auto)
              --debug                   print stack traces on errors
              --help                    this text
            """;

    @Option(names = {"-h", "--help"}, usageHelp = true)
    boolean help;

    @Option(names = "--model")
    String model;

    @Option(names = "--against")
    String against;

    @Option(names = "--prompt")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--prompts")
    String promptsFile;

    @Option(names = "--ids")
    String ids;

    @Option(names = "--out")
    String out;

    @Option(names = "--device")
    String device;

    @Option(names = "--debug")
    boolean debug;
}
