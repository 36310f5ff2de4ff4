package dev.attnstudio.lessons.probe;

/**
 * A probe that cannot be evaluated on this trace (a query past the prompt's end, a hook the page's actions did not
 * compute, a probe that does not fit the model), naming the parameter at fault so the message can point at its line.
 */
public final class ProbeException extends RuntimeException {

    private final String param;

    /** @param param the parameter at fault, or null when it is the probe as a whole */
    public ProbeException(String param, String message) {
        super(message);
        this.param = param;
    }

    public ProbeException(String param, String message, Throwable cause) {
        super(message, cause);
        this.param = param;
    }

    /** The parameter at fault, or null. */
    public String param() {
        return param;
    }
}
