package dev.attnstudio.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code attn-studio diagnose}'s command line as picocli reads it; {@link DiagnoseCommand} checks it. */
@Command(name = "diagnose")
final class DiagnoseArgs {

    static final String USAGE = """
            usage: attn-studio diagnose --model <folder|file.onnx|sample> (--prompt <text>... | --prompts <file> | --ids <id,...>)
                                        [--fail-on <kinds>] [--out <dir>] [options]

            Measures the model on the prompts and prints a summary: the head report card (entropy, confidence, sink,
            previous-token, duplicate-token and induction scores, redundancy, dead and unimportant heads, each flag with
            the numbers that set it), the mask linter's findings (attention where the model's own mask forbids it, fully
            masked and NaN rows, left padding with absolute positions, rows that change with padding, cached decoding
            against a full recompute), attention rollout and flow, and the logit lens. With --out it writes
            diagnosis.json (schema: engine/src/main/resources/dev/attnstudio/engine/diagnose/diagnosis.schema.json),
            diagnosis.md (the summary), rollout.npy ([B, T, T] whole-model rollout of the first pass) and
            logit_lens.json (decoders).

            Exit status: 0 clean, 1 a finding at error level (every mask finding, collapsed heads) or of a kind in
            --fail-on, 2 bad usage or an unreadable model.

              --model <folder|file|name> a Hugging Face folder, a BERT encoder exported to .onnx, or a bundled
                                        sample: %s
              --prompt <text>           a prompt; repeat for a prompt set (an encoder reads them as one padded batch)
              --prompts <file>          one prompt per line
              --ids <3,17,5>            token ids of one row instead of text
              --fail-on <kinds>         also exit 1 when any of these is found, comma-separated: mask-leak (any
                                        attention on forbidden keys), a linter kind (future-key-mass,
                                        padding-key-mass, non-finite-row, cache-divergence, ...) or a head flag
                                        (collapsed, near-uniform, sink, dead, duplicate, unimportant)
              --out <dir>               write the report files into this folder (created if needed)
              --intervene <spec>        run under an intervention (as trace --help lists them); repeatable
              --mask-bug <name>         inject a mask bug (broadcast, after-softmax, flipped, padding-in-loss,
                                        stale-cache, off-by-one); repeatable; the linter should catch it
              --device <auto|cpu|gpu>   where tensors live (default auto)
              --debug                   print stack traces on errors
              --help                    this text

            Examples:
              attn-studio diagnose --model induction-2l-collapsed --ids 1,2,3,4,5,6,7,8 --fail-on collapsed
              attn-studio diagnose --model tiny-gpt --prompt "And God said" --mask-bug off-by-one --out /tmp/diag
              attn-studio diagnose --model all-minilm-l6-v2 --prompt "The cat sat." --prompt "A dog." --fail-on sink
            """;

    /** --model, --prompt, --ids, --device, --intervene, --mask-bug, --debug, --help. */
    @Mixin
    ModelRunArgs run = new ModelRunArgs();

    @Option(names = "--prompts")
    String promptsFile;

    @Option(names = "--fail-on")
    String failOn;

    @Option(names = "--out")
    String out;
}
