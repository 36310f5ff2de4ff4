package dev.attnstudio.app.views;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The views of the window in tab order, each {@link ViewSpec registered} once; the window opens on
 * {@link #first()}. Immutable.
 */
public final class ViewRegistry {

    private final List<ViewSpec> views;
    private final String first;

    private ViewRegistry(List<ViewSpec> views, String first) {
        if (views.isEmpty()) {
            throw new IllegalArgumentException("a window needs at least one view");
        }
        Set<String> ids = new HashSet<>();
        for (ViewSpec v : views) {
            if (!ids.add(v.id())) {
                throw new IllegalArgumentException("two views are registered as " + v.id());
            }
        }
        if (!ids.contains(first)) {
            throw new IllegalArgumentException("no view " + first + " to open on");
        }
        this.views = List.copyOf(views);
        this.first = first;
    }

    /** The views in tab order; the window opens on the first. */
    public static ViewRegistry of(List<ViewSpec> views) {
        return new ViewRegistry(views, views.isEmpty() ? "" : views.get(0).id());
    }

    /** The same views, the window opening on {@code id}. */
    public ViewRegistry openingOn(String id) {
        return new ViewRegistry(views, id);
    }

    /** These views and {@code more} after them. */
    public ViewRegistry with(ViewSpec more) {
        List<ViewSpec> all = new ArrayList<>(views);
        all.add(more);
        return new ViewRegistry(all, first);
    }

    /** Every view in tab order. */
    public List<ViewSpec> all() {
        return views;
    }

    /** The view the window opens on. */
    public ViewSpec first() {
        return get(first);
    }

    /** The view registered as {@code id}. */
    public ViewSpec get(String id) {
        return views.stream().filter(v -> v.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no view " + id));
    }

    /** The key that shows {@code view}, if it has one (see {@link ViewKey}). */
    public Optional<ViewKey> key(ViewSpec view) {
        int at = views.indexOf(view);
        if (at < 0) {
            throw new IllegalArgumentException("not registered: " + view.id());
        }
        return ViewKey.at(at);
    }

    /** One line per view, tab-separated: id, title and key ("Alt+1", or "-" for none); read by scripts. */
    public List<String> listing() {
        return views.stream().map(v -> v.id() + "\t" + v.title() + "\t" + key(v).map(ViewKey::text).orElse("-")).toList();
    }
}
