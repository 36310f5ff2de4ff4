package dev.attnstudio.engine.hooks;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HookName's nested enums and the class itself initialize in any order (a test running alone may touch Model first). */
class HookNameInitTest {

    /**
     * A fresh class loader touching {@code HookName.Model} before anything else (as a test running alone does, through
     * {@code hook_embed} in the first program): its constants must not be read while they are being created.
     */
    @Test
    void theHookEnumsInitializeInAnyOrder() throws Exception {
        URL classes = HookName.class.getProtectionDomain().getCodeSource().getLocation();
        for (String first : List.of("Model", "Block", "Stack")) {
            try (URLClassLoader fresh = new URLClassLoader(new URL[] {classes}, null)) {
                Class<?> hooks = Class.forName(HookName.class.getName() + "$" + first, true, fresh);
                assertNotSame(HookName.class, hooks.getEnclosingClass(), "loaded afresh");
                Class<?> names = Class.forName(HookName.class.getName(), true, fresh);
                Object parsed = names.getMethod("parse", String.class).invoke(null, "decoder.hook_embed");
                assertTrue(parsed.toString().contains("EMBED"), first + " first: " + parsed);
            }
        }
    }
}
