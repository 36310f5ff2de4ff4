package dev.attnstudio.app.bundle;

/**
 * Which entry names a bundle may hold: relative paths with '/' between parts, each part neither empty, "." nor
 * "..", no backslash, no drive letter or leading '/', no control characters. A reader refuses anything else, so an
 * archive cannot make it read (or a user's tool write) outside the bundle.
 */
final class BundleNames {

    /** Longest entry name accepted, in characters. */
    static final int MAX_LENGTH = 512;

    private BundleNames() {
    }

    static boolean safe(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || name.startsWith("/")
                || name.contains("\\") || name.contains(":")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return false;
            }
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
