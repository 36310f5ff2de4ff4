package dev.attnstudio.app.views;

import dev.attnstudio.app.concurrent.Failures;
import dev.attnstudio.engine.step.Stepper;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every view's feed: added on the FX thread, built on the engine thread after each command (active feeds only)
 * into a {@link Results} that travels with the pass snapshot, and handed to the views on the FX thread.
 */
public final class ViewFeeds {

    private static final System.Logger LOG = System.getLogger(ViewFeeds.class.getName());

    /** One view's data, or why its factory failed. */
    private record Outcome(Object value, String error) {
    }

    /** The data of the feeds one engine task built: plain data, safe to hand across threads. */
    public static final class Results {
        private static final Results CLEAR_ALL = new Results(Map.of());
        private final Map<ViewFeed<?>, Outcome> outcomes;

        private Results(Map<ViewFeed<?>, Outcome> outcomes) {
            this.outcomes = outcomes;
        }

        /** No data for any feed: no model, or no pass to show. */
        public static Results clearAll() {
            return CLEAR_ALL;
        }
    }

    private final List<ViewFeed<?>> feeds = new CopyOnWriteArrayList<>();
    private final Runnable stale;

    /**
     * @param stale called when a feed needs data it does not have (it was added, or became active): the window
     *              then rebuilds the active feeds on the engine thread
     */
    public ViewFeeds(Runnable stale) {
        this.stale = stale;
    }

    /**
     * Adds a view's feed: {@code factory} builds its data on the engine thread after every command (and when the
     * shared selection changes) while the feed is active. Call on the FX thread.
     *
     * @param name for logs and error messages, e.g. {@code "KV cache"}
     */
    public <T> ViewFeed<T> add(String name, ViewFeed.Factory<T> factory) {
        ViewFeed<T> feed = new ViewFeed<>(name, factory);
        feed.activeProperty().addListener((obs, old, now) -> {
            if (now) {
                stale.run();
            }
        });
        feeds.add(feed);
        stale.run();
        return feed;
    }

    /** Engine thread: every active feed's data for the pass under the cursor; a failing factory fails alone. */
    public Results build(Stepper stepper, ViewContext context) {
        Map<ViewFeed<?>, Outcome> out = new IdentityHashMap<>();
        for (ViewFeed<?> feed : feeds) {
            if (!feed.isActiveNow()) {
                continue;
            }
            try {
                out.put(feed, new Outcome(feed.factory().build(stepper, context), null));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the " + feed.name() + " view could not be built", e);
                out.put(feed, new Outcome(null, feed.name() + ": " + Failures.message(e)));
            }
        }
        return new Results(out);
    }

    /** FX thread: hands each feed its data. */
    public void apply(Results results) {
        if (results == Results.CLEAR_ALL) {
            feeds.forEach(f -> f.apply(null, null));
        } else {
            results.outcomes.forEach((feed, outcome) -> feed.apply(outcome.value(), outcome.error()));
        }
    }
}
