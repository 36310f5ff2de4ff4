package dev.attnstudio.app.main;

/** A line for the status bar; {@code error} ones are shown as failures. */
public record Status(String text, boolean error) {

    public static Status info(String text) {
        return new Status(text, false);
    }

    public static Status error(String text) {
        return new Status(text, true);
    }
}
