package dev.attnstudio.cli;

import dev.attnstudio.engine.bench.EngineBenchmark;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.SampleModels;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/**
 * The {@code attn-studio} command line. Exit codes: 0 done, 2 the command or its input is wrong (the message
 * says what to change), 1 anything else (a failed write, an engine failure).
 */
public final class Main {

    static final String USAGE = """
            usage: attn-studio <command> [options]

            Commands:
              trace   run a model on prompts and write every hook as a NumPy .npy file (attn-studio trace --help)
              hooks   list the hook names with their shapes and meanings
              bench   measure the engine's speed and memory (options: --layers N, --runs N)

            Options:
              --debug  print stack traces on errors
              --help   this text

            Models: a Hugging Face folder (%s), a BERT encoder exported to .onnx, or a bundled sample
            (%s). Everything runs offline.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        DjlRuntime.forceOffline();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command and returns its exit code; {@code out} gets results, {@code err} progress and errors. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        DjlRuntime.forceOffline();
        List<String> all = Arrays.asList(args);
        boolean debug = all.contains("--debug");
        try {
            return dispatch(all, out, err);
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

    private static int dispatch(List<String> args, PrintStream out, PrintStream err) throws IOException {
        int i = 0;
        while (i < args.size() && args.get(i).equals("--debug")) {
            i++;
        }
        if (i == args.size()) {
            err.print(usage());
            return 2;
        }
        String command = args.get(i);
        List<String> rest = args.subList(i + 1, args.size());
        switch (command) {
            case "--help", "-h", "help" -> {
                out.print(usage());
                return 0;
            }
            case "trace" -> {
                TraceOptions options = TraceOptions.parse(rest);
                if (options.help()) {
                    out.print(TraceOptions.usage(sampleNames()));
                    return 0;
                }
                new TraceCommand(options, err).run();
                return 0;
            }
            case "hooks" -> {
                if (!rest.isEmpty() && !rest.equals(List.of("--debug"))) {
                    throw new UsageException("hooks takes no options");
                }
                out.println(HookName.table());
                return 0;
            }
            case "bench" -> {
                EngineBenchmark.main(rest.toArray(String[]::new));
                return 0;
            }
            default -> throw new UsageException(command.startsWith("-")
                    ? "unknown option '" + command + "' (see attn-studio --help)"
                    : "unknown command '" + command + "' (commands: trace, hooks, bench; see attn-studio --help)");
        }
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
