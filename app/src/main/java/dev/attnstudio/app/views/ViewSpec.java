package dev.attnstudio.app.views;

import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One view of the window, declared once: the window's tab, its key, its View menu item, the shortcut list,
 * File > Export and the screenshot script all read it from the {@link ViewRegistry}.
 *
 * @param id    lower-case words joined by dashes ({@code head-view}); the tab's node id is made from it
 *              ({@code headViewTab}), as is the View menu item's ({@code headViewItem}) and the screenshots' names
 * @param title the tab's title
 * @param help  one line for the tab's tooltip
 * @param build makes the view on the FX thread, once per window: its node, feed, export and readout
 */
public record ViewSpec(String id, String title, String help, Function<ViewHost, BuiltView> build) {

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public ViewSpec {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a view id is lower-case words joined by dashes, e.g. head-view, not " + id);
        }
        if (title == null || title.isBlank() || help == null || help.isBlank() || build == null) {
            throw new IllegalArgumentException("the view " + id + " needs a title, a line of help and a way to build it");
        }
    }

    /** The id in camel case: {@code headView}. */
    public String camelId() {
        String[] words = id.split("-");
        StringBuilder camel = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            camel.append(words[i].substring(0, 1).toUpperCase(Locale.ROOT)).append(words[i].substring(1));
        }
        return camel.toString();
    }

    /** Node id of the view's tab: {@code headViewTab}. */
    public String tabId() {
        return camelId() + "Tab";
    }

    /** Node id of its View menu item: {@code headViewItem}. */
    public String menuItemId() {
        return camelId() + "Item";
    }
}
