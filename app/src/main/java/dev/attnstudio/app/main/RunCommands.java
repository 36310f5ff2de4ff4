package dev.attnstudio.app.main;

import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableBooleanValue;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;

import java.util.List;

/** The window's commands that have both a menu item and a toolbar button: opening a folder and the Run menu. */
final class RunCommands {

    private RunCommands() {
    }

    /** The Run menu's commands in order, Stop last. */
    static List<Command> of(MainViewModel vm) {
        SteppingViewModel s = vm.stepping();
        ObservableBooleanValue forward = s.stepDisabled();
        return List.of(
                new Command("stepButton", "Step", "Compute the next step",
                        new KeyCodeCombination(KeyCode.F10), s::step, forward),
                new Command("stepBackButton", "Step back", "Move back one step; nothing is recomputed",
                        new KeyCodeCombination(KeyCode.F10, KeyCombination.SHIFT_DOWN), s::stepBack, s.stepBackDisabled()),
                new Command("stepOverButton", "Step over block", "Run to the end of the current block",
                        new KeyCodeCombination(KeyCode.F11), s::stepOver, forward),
                new Command("runToBreakpointButton", "Run to breakpoint",
                        "Run until a step matches an enabled breakpoint (see the breakpoint list)",
                        new KeyCodeCombination(KeyCode.F5), s::runToBreakpoint, forward),
                new Command("runToEndButton", "Run to end", "Compute every remaining step",
                        new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN), s::runToEnd, forward),
                new Command("generateButton", "Generate", "Sample one more token with the Generation tab's settings "
                        + "and step into the pass that reads it", new KeyCodeCombination(KeyCode.G, KeyCombination.SHORTCUT_DOWN),
                        () -> s.generate(s.samplingProperty().get()), cannotGenerate(vm)),
                new Command("generateTokensButton", Bindings.createStringBinding(() -> "Generate "
                        + s.generateCountProperty().get() + (s.generateCountProperty().get() == 1 ? " token" : " tokens"),
                        s.generateCountProperty()), "Generate tokens one after another, each pass run to its end, with the "
                        + "Generation tab's settings and count; Esc stops after the current token",
                        new KeyCodeCombination(KeyCode.G, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN),
                        s::generateTokens, cannotGenerate(vm)),
                new Command("stopButton", "Stop", "Stop a running command after its current step (generating tokens: "
                        + "after the current token)",
                        new KeyCodeCombination(KeyCode.ESCAPE), s::cancel, vm.status().busyProperty().not()));
    }

    /** File > Open model folder (Ctrl+O). */
    /** Generation needs a pass to continue and a model that generates: not an encoder, not a recorded trace. */
    private static javafx.beans.binding.BooleanBinding cannotGenerate(MainViewModel vm) {
        return vm.stepping().stepDisabled().or(vm.session().encoderProperty()).or(vm.session().recordedProperty());
    }

    static Command openFolder(MainViewModel vm, Runnable choose) {
        return new Command("openFolderButton", "Open model folder\u2026",
                "Open a Hugging Face folder (config.json, model.safetensors, tokenizer.json) or an ONNX encoder folder",
                new KeyCodeCombination(KeyCode.O, KeyCombination.SHORTCUT_DOWN), choose, vm.status().busyProperty());
    }
}
