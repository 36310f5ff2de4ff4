package dev.attnstudio.lessons.probe;

import java.util.List;

/**
 * One parameter of a probe.
 *
 * @param name     as written in the probe's JSON object
 * @param type     how it is read and checked
 * @param required whether it must be given
 * @param help     one line for authors
 * @param choices  the allowed values of a {@link ParamType#CHOICE} (or of each item of a {@link ParamType#NAMES}, when
 *                 not empty); the first is the default of an optional choice
 */
public record Param(String name, ParamType type, boolean required, String help, List<String> choices) {

    public Param {
        choices = List.copyOf(choices);
    }

    public static Param required(String name, ParamType type, String help) {
        return new Param(name, type, true, help, List.of());
    }

    public static Param optional(String name, ParamType type, String help) {
        return new Param(name, type, false, help, List.of());
    }

    public static Param choice(String name, boolean required, String help, List<String> choices) {
        return new Param(name, ParamType.CHOICE, required, help, choices);
    }

    public static Param names(String name, boolean required, String help, List<String> choices) {
        return new Param(name, ParamType.NAMES, required, help, choices);
    }
}
