package dev.attnstudio.cli;

import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

import java.util.List;

/** picocli's parse errors, said the way the rest of the command line says things: what is wrong and what to do. */
final class CommandLineErrors {

    private CommandLineErrors() {
    }

    static String message(CommandLine.ParameterException e) {
        CommandLine cmd = e.getCommandLine();
        String command = cmd.getCommandName();
        boolean root = cmd.getCommandSpec().parent() == null;
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (root) {
                return arg.startsWith("-") ? "unknown option '" + name + "' (see attn-studio --help)"
                        : "unknown command '" + arg + "' (commands: " + String.join(", ",
                        cmd.getSubcommands().keySet()) + "; see attn-studio --help)";
            }
            if (cmd.getCommandSpec().options().stream().allMatch(o -> o.usageHelp() || o.longestName().equals("--debug"))) {
                return command + " takes no options";
            }
            return arg.startsWith("-") ? "unknown option '" + name + "' for " + command + " (see attn-studio " + command
                    + " --help)" : "unexpected argument '" + arg + "' (quote a prompt that has spaces: --prompt \"two words\")";
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            return name(m.getMissing()) + " needs a value";
        }
        if (e instanceof CommandLine.OverwrittenOptionException o) {
            return name(List.of(o.getOverwritten())) + " is given twice";
        }
        return e.getMessage();
    }

    private static String name(List<ArgSpec> args) {
        ArgSpec a = args.get(0);
        return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
    }
}
