package dev.attnstudio.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code attn-studio export}'s command line as picocli reads it; {@link ExportCommand} checks it. */
@Command(name = "export")
final class ExportArgs {

    static final String USAGE = """
            usage: attn-studio export --model <M> (--prompt <text>... | --prompts <file> | --ids <id,...>) --format <png|svg|npy|json> --out <dir> [options]

            Runs the prompts and writes every selected layer, head and stage as one file each, named by hook, head
            and (with several prompts) prompt: blocks.0.attn.hook_pattern.h2.png, ...p1.png for the second prompt. png
            and svg are the app's own renderings of the map (labels, legend) with a caption naming the model, prompt,
            layer, head, stage and colour scale; npy is float32 [T, K] (C order; masked cells -inf); json holds the
            same values (masked cells null) with the token labels. A manifest.json lists every file, written last.

              --model <M>               a folder, a .onnx file or a bundled sample: %s
              --prompt <text>           a prompt; repeat for several
              --prompts <file>          one prompt per line
              --ids <3,17,5>            token ids of one row instead of text
              --layers <all|0,1>        layers to export (default all)
              --heads <all|0,2>         heads to export (default all)
              --stages <pattern,...>    stages (default pattern): pattern, scores (scaled and masked),
                                        scores-unmasked, qk-raw
              --format <png|svg|npy|json>  what to write (default png)
              --scale <1..8>            pixels per point of a png (default 2)
              --out <dir>               output folder; refused if it already holds a manifest.json
              --force                   replace the files of the export in --out
              --intervene <spec>        change the forward pass, as in trace (attn-studio trace --help)
              --mask-bug <name>         inject one of the six classic mask bugs, as in trace
              --device <auto|cpu|gpu>   where tensors live (default auto)
              --debug                   print stack traces on errors
              --help                    this text

            png needs the JavaFX toolkit: with no display it runs headless through Monocle (prism software
            rendering); svg, npy and json need no toolkit.

            Examples:
              attn-studio export --model induction-2l --prompt "abcabc" --format png --out /tmp/maps
              attn-studio export --model tiny-gpt --prompt "And God said" --layers 0 --heads 0,1 --stages pattern,scores --format npy --out /tmp/npy
            """;

    /** --model, --prompt, --ids, --device, --intervene, --mask-bug, --debug, --help. */
    @Mixin
    ModelRunArgs run = new ModelRunArgs();

    @Option(names = "--prompts")
    String promptsFile;

    @Option(names = "--layers")
    String layers;

    @Option(names = "--heads")
    String heads;

    @Option(names = "--stages")
    String stages;

    @Option(names = "--format")
    String format;

    @Option(names = "--scale")
    String scale;

    @Option(names = "--out")
    String out;

    @Option(names = "--force")
    boolean force;
}
