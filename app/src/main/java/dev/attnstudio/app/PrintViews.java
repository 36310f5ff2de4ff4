package dev.attnstudio.app;

/**
 * Prints the window's views, one line each, tab-separated: id, title and the key that shows it ({@code Alt+1},
 * {@code Alt+Shift+1}, or {@code -}). {@code scripts/screenshot.sh} walks the tabs by this list.
 */
public final class PrintViews {

    private PrintViews() {
    }

    public static void main(String[] args) {
        StudioViews.all().listing().forEach(System.out::println);
    }
}
