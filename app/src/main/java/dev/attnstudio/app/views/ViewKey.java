package dev.attnstudio.app.views;

import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;

import java.util.Optional;

/**
 * The key that shows a view, by its place in the tab order: Alt+1 ... Alt+9, Alt+0 for the first ten views,
 * Alt+Shift+1 ... Alt+Shift+0 for the next ten. Views after the twentieth have no key; their tab and the View menu
 * still show them.
 *
 * @param shift whether Shift is held with Alt (views 11 to 20)
 * @param digit the digit key, 0 to 9
 */
public record ViewKey(boolean shift, int digit) {

    /** How many views have a key. */
    public static final int KEYED_VIEWS = 20;

    public ViewKey {
        if (digit < 0 || digit > 9) {
            throw new IllegalArgumentException("a view key is a digit, not " + digit);
        }
    }

    /** The key of the view at {@code position} (0-based) in the tab order, or none after {@link #KEYED_VIEWS}. */
    public static Optional<ViewKey> at(int position) {
        if (position < 0 || position >= KEYED_VIEWS) {
            return Optional.empty();
        }
        return Optional.of(new ViewKey(position >= 10, (position % 10 + 1) % 10));
    }

    /** The digit's key code, e.g. {@link KeyCode#DIGIT1}. */
    public KeyCode code() {
        return KeyCode.valueOf("DIGIT" + digit);
    }

    /** As a menu accelerator. */
    public KeyCombination combination() {
        return shift ? new KeyCodeCombination(code(), KeyCombination.ALT_DOWN, KeyCombination.SHIFT_DOWN)
                : new KeyCodeCombination(code(), KeyCombination.ALT_DOWN);
    }

    /** The keys to hold, modifiers first (for robots that press them one by one). */
    public KeyCode[] codes() {
        return shift ? new KeyCode[] {KeyCode.ALT, KeyCode.SHIFT, code()} : new KeyCode[] {KeyCode.ALT, code()};
    }

    /** "Alt+1", "Alt+Shift+1". */
    public String text() {
        return (shift ? "Alt+Shift+" : "Alt+") + digit;
    }
}
