package dev.attnstudio.lessons.run;

/**
 * The seed of one attempt at a page: everything drawn at random for it (a mask bug to diagnose, the shuffled items of
 * an order exercise) comes from it, so attempt 3 of page 7 replays the same on every machine and run.
 */
public final class AttemptSeed {

    private AttemptSeed() {
    }

    /** A seed from the lesson id, the page (0-based) and the attempt (0-based). String.hashCode is fixed by the JLS. */
    public static long of(String lesson, int page, int attempt) {
        long h = lesson.hashCode();
        h = mix(h * 31 + page);
        return mix(h * 31 + attempt);
    }

    /** SplitMix64's finalizer: spreads nearby inputs over the whole range. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
