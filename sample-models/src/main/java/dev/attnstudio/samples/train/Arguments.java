package dev.attnstudio.samples.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trainers' command lines, read the same way: {@code --name value} pairs, and switches that take no value. Each
 * trainer matches the names itself; the messages for a missing value or a value that is not a number are said here.
 */
final class Arguments {

    /** One option as given; a switch has no value. */
    record Option(String name, String value) {

        Path path() {
            return Path.of(value);
        }

        int integer() {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw notANumber();
            }
        }

        long longInteger() {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw notANumber();
            }
        }

        float number() {
            try {
                return Float.parseFloat(value);
            } catch (NumberFormatException e) {
                throw notANumber();
            }
        }

        private IllegalArgumentException notANumber() {
            return new IllegalArgumentException(name + " needs a number, got '" + value + "'");
        }
    }

    private Arguments() {
    }

    /**
     * The options in order.
     *
     * @param switches the names that take no value
     * @throws IllegalArgumentException if the last option needs a value and has none
     */
    static List<Option> parse(String[] args, String... switches) {
        List<String> bare = Arrays.asList(switches);
        List<Option> options = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (bare.contains(a)) {
                options.add(new Option(a, null));
            } else if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            } else {
                options.add(new Option(a, args[++i]));
            }
        }
        return options;
    }
}
