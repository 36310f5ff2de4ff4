package dev.attnstudio.app.bundle;

import java.io.IOException;

/**
 * A trace bundle that cannot be opened, and why: {@link #problem()} tells the kinds apart (for tests, and for the
 * app to phrase its message); the message names the bundle and the entry.
 */
public final class BundleException extends IOException {

    /** What is wrong with a bundle. */
    public enum Problem {
        /** Neither a folder holding manifest.json nor a .npz archive. */
        NOT_A_BUNDLE,
        /** An entry name that would reach outside the bundle (.., an absolute path, a drive, a backslash). */
        UNSAFE_NAME,
        /** An entry (or the whole) larger than the reader's limits, or inflating past its declared size. */
        TOO_LARGE,
        /** A manifest or entry that does not parse, or that disagrees with the manifest. */
        MALFORMED,
        /** An entry the manifest lists is missing. */
        MISSING,
        /** A manifest of a format version this reader does not know. */
        UNSUPPORTED_VERSION
    }

    private final Problem problem;

    public BundleException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public BundleException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
