package dev.attnstudio.app.bundle;

/**
 * How much a reader accepts from a bundle, checked before anything is allocated: against the sizes an archive
 * declares, and again while inflating (an entry that grows past its declared size is refused), so a hostile archive
 * (a "zip bomb") cannot exhaust memory.
 *
 * @param maxEntryBytes bytes of one entry, inflated (one Java array holds at most about 2^31 bytes)
 * @param maxTotalBytes bytes of every entry together, inflated
 * @param maxEntries    entries in the archive
 */
public record BundleLimits(long maxEntryBytes, long maxTotalBytes, int maxEntries) {

    /** 1 GiB per entry, 64 GiB in all, 100 000 entries: far above any trace a desktop can show. */
    public static final BundleLimits DEFAULT = new BundleLimits(1L << 30, 64L << 30, 100_000);

    public BundleLimits {
        if (maxEntryBytes <= 0 || maxEntryBytes > Integer.MAX_VALUE - 8 || maxTotalBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("limits must be positive and an entry must fit one Java array");
        }
    }
}
