package dev.attnstudio.cli;

import dev.attnstudio.engine.bench.EngineBenchmark;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.lessons.check.LessonCheck;
import dev.attnstudio.samples.SampleModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/**
 * The {@code attn-studio} command line, parsed with picocli. Exit codes: 0 done (for {@code diagnose}: clean), 1 a
 * failed write or an engine failure (for {@code diagnose}: a finding at error level or one asked for with
 * {@code --fail-on}), 2 the command or its input is wrong (the message says what to change).
 */
public final class Main {

    static final String USAGE = """
            usage: attn-studio <command> [options]

            Commands:
              trace     run a model on prompts and write every hook as a NumPy .npy file (attn-studio trace --help)
              diagnose  measure heads, lint masks, rollout and logit lens; exit 1 on findings (attn-studio diagnose --help)
              export    write each layer's, head's and stage's map as png, svg, npy or json (attn-studio export --help)
              diff      compare two checkpoints of one architecture head by head (attn-studio diff --help)
              lessons   check lessons: attn-studio lessons check [FOLDER] (the bundled course without a folder)
              hooks     list the hook names with their shapes and meanings
              bench     measure the engine's speed: decode, prefill, an encoder (options: --layers N, --runs N, --threads N)

            Options:
              --debug  print stack traces on errors
              --help   this text

            Models: a Hugging Face folder (%s), a BERT encoder exported to .onnx, or a bundled sample
            (%s). Everything runs offline.
            """;

    /** The words the root command takes before a subcommand. */
    @Command(name = "attn-studio", subcommands = {TraceArgs.class, DiagnoseArgs.class, ExportArgs.class, DiffArgs.class, LessonsArgs.class,
            HooksArgs.class, BenchArgs.class})
    static final class Root {
        @Option(names = {"-h", "--help"}, usageHelp = true)
        boolean help;

        @Option(names = "--debug")
        boolean debug;
    }

    /** {@code attn-studio lessons check [FOLDER]}: runs every page of every lesson and proves every exercise. */
    @Command(name = "lessons", subcommands = LessonsArgs.Check.class)
    static final class LessonsArgs {
        @Option(names = "--debug")
        boolean debug;

        @Command(name = "check")
        static final class Check {
            @Parameters(arity = "0..1")
            String folder;

            @Option(names = "--debug")
            boolean debug;
        }
    }

    @Command(name = "hooks")
    static final class HooksArgs {
        @Option(names = "--debug")
        boolean debug;
    }

    @Command(name = "bench")
    static final class BenchArgs {
        @Option(names = "--layers")
        String layers;

        @Option(names = "--runs")
        String runs;

        @Option(names = "--threads")
        String threads;

        @Option(names = "--debug")
        boolean debug;
    }

    /** The bundled encoder the benchmark measures beside GPT-2. */
    private static final String BENCH_ENCODER = "all-minilm-l6-v2";

    private Main() {
    }

    public static void main(String[] args) {
        DjlRuntime.forceOffline();
        DjlRuntime.useAvailableCores();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command and returns its exit code; {@code out} gets results, {@code err} progress and errors. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        DjlRuntime.forceOffline();
        boolean debug = List.of(args).contains("--debug");
        try {
            return dispatch(new CommandLine(new Root()).parseArgs(args), out, err);
        } catch (CommandLine.ParameterException e) {
            return fail(err, new UsageException(CommandLineErrors.message(e)), debug, 2);
        } catch (UsageException | ModelFormatException | IllegalArgumentException | IllegalStateException
                 | NoSuchElementException e) {
            return fail(err, e, debug, 2);
        } catch (IOException | UncheckedIOException e) {
            return fail(err, e, debug, 1);
        } catch (RuntimeException e) {
            err.println("attn-studio: internal error: " + oneLine(e) + (debug ? "" : " (run with --debug for details)"));
            if (debug) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    private static int dispatch(ParseResult root, PrintStream out, PrintStream err) throws IOException {
        if (root.isUsageHelpRequested()) {
            out.print(usage());
            return 0;
        }
        ParseResult command = root.subcommand();
        if (command == null) {
            err.print(usage());
            return 2;
        }
        Object args = command.commandSpec().userObject();
        if (command.isUsageHelpRequested()) {
            out.print(args instanceof DiagnoseArgs ? DiagnoseArgs.USAGE.formatted(sampleNames())
                    : args instanceof DiffArgs ? DiffArgs.USAGE.formatted(sampleNames())
                    : args instanceof ExportArgs ? ExportArgs.USAGE.formatted(sampleNames())
                    : TraceOptions.usage(sampleNames()));
            return 0;
        }
        if (args instanceof TraceArgs trace) {
            return new TraceCommand(TraceOptions.of(trace), err).run();
        }
        if (args instanceof DiagnoseArgs diagnose) {
            return new DiagnoseCommand(diagnose, out, err).run();
        }
        if (args instanceof ExportArgs export) {
            return new ExportCommand(export, err).run();
        }
        if (args instanceof DiffArgs diff) {
            return new DiffCommand(diff, out, err).run();
        }
        if (args instanceof LessonsArgs) {
            ParseResult check = command.subcommand();
            if (check == null) {
                throw new UsageException("lessons takes a command: attn-studio lessons check [FOLDER]");
            }
            String folder = ((LessonsArgs.Check) check.commandSpec().userObject()).folder;
            return LessonCheck.run(folder == null ? null : Path.of(folder), out);
        }
        if (args instanceof HooksArgs) {
            out.println(HookName.table());
            return 0;
        }
        BenchArgs bench = (BenchArgs) args;
        List<String> pass = new ArrayList<>();
        if (bench.layers != null) {
            pass.addAll(List.of("--layers", bench.layers));
        }
        if (bench.runs != null) {
            pass.addAll(List.of("--runs", bench.runs));
        }
        if (bench.threads != null) {
            pass.addAll(List.of("--threads", bench.threads));
        }
        try (LoadedModel encoder = SampleModels.open(BENCH_ENCODER, DjlRuntime.DeviceChoice.CPU)) {
            EngineBenchmark.run(pass.toArray(String[]::new), out, encoder);
        }
        return 0;
    }

    private static int fail(PrintStream err, Exception e, boolean debug, int code) {
        err.println("attn-studio: " + oneLine(e));
        if (debug) {
            e.printStackTrace(err);
        }
        return code;
    }

    /** The message on one line; the exception's type only when it has no message. */
    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            message = e.getCause().getMessage();
        }
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        } else if (e instanceof java.nio.file.NoSuchFileException) {
            message = "no such file or folder: " + message;
        } else if (e instanceof java.nio.file.AccessDeniedException) {
            message = "permission denied: " + message;
        }
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static String usage() {
        return USAGE.formatted(ModelFolder.FAMILIES, sampleNames());
    }

    /** The bundled samples' names, for messages. */
    static String sampleNames() {
        return SampleModels.catalog().stream().map(SampleModels.Sample::name).collect(Collectors.joining(", "));
    }
}
