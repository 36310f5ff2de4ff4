package dev.attnstudio.app.concurrent;

import java.util.concurrent.ExecutionException;

/** What to tell the user about a failure that came back from the engine thread. */
public final class Failures {

    private Failures() {
    }

    /** The first message along the cause chain (wrappers such as {@link ExecutionException} skipped), else the type. */
    public static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
