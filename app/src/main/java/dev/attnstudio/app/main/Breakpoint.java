package dev.attnstudio.app.main;

import dev.attnstudio.engine.hooks.HookName;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;

import java.util.regex.Pattern;

/**
 * One entry of the breakpoint list: a hook-name pattern ({@code blocks.*.attn.hook_pattern}; {@code *} within
 * one part of the name, {@code **} across parts, see {@link HookName#glob}) that can be switched off without
 * removing it.
 */
public final class Breakpoint {

    private final String pattern;
    private final Pattern glob;
    private final BooleanProperty enabled;

    public Breakpoint(String pattern, boolean enabled) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("a breakpoint needs a hook name or pattern, e.g. blocks.*.attn.hook_pattern");
        }
        this.pattern = pattern.strip();
        this.glob = HookName.glob(this.pattern);
        this.enabled = new SimpleBooleanProperty(this, "enabled", enabled);
    }

    public String pattern() {
        return pattern;
    }

    /** Whether F5 stops here; a disabled breakpoint stays in the list. */
    public BooleanProperty enabledProperty() {
        return enabled;
    }

    public boolean isEnabled() {
        return enabled.get();
    }

    /** Whether a step with this hook name stops here (ignoring {@link #isEnabled()}). */
    public boolean matches(String hookName) {
        return glob.matcher(hookName).matches();
    }

    @Override
    public String toString() {
        return pattern + (isEnabled() ? "" : " (disabled)");
    }
}
