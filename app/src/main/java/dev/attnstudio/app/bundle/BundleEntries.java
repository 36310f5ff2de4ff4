package dev.attnstudio.app.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The entries of a bundle, by name: the files of a folder or the members of a .npz archive, each read whole into
 * memory within {@link BundleLimits}. Names are checked when the bundle is opened (an archive's every member) and
 * when an entry is read (a folder's, which must also not be a link leading out of the folder).
 */
abstract sealed class BundleEntries implements AutoCloseable {

    final String label;
    final BundleLimits limits;

    private BundleEntries(String label, BundleLimits limits) {
        this.label = label;
        this.limits = limits;
    }

    /** Opens a folder holding manifest.json, or a .npz archive. */
    static BundleEntries open(Path path, BundleLimits limits) throws IOException {
        if (Files.isDirectory(path)) {
            return new Folder(path, limits);
        }
        if (Files.isRegularFile(path)) {
            return new Archive(path, limits);
        }
        throw new BundleException(BundleException.Problem.NOT_A_BUNDLE, path + ": no such file or folder");
    }

    /** Whether the bundle holds an entry of that name (an unsafe name is never held). */
    abstract boolean has(String name);

    /** The bytes of one entry. */
    abstract byte[] read(String name) throws IOException;

    @Override
    public abstract void close() throws IOException;

    String where(String name) {
        return label + "!" + name;
    }

    BundleException unsafe(String name) {
        return new BundleException(BundleException.Problem.UNSAFE_NAME, label + ": the entry name '" + name
                + "' reaches outside the bundle (only relative names without '..' are read)");
    }

    BundleException tooLarge(String name, long bytes) {
        return new BundleException(BundleException.Problem.TOO_LARGE, where(name) + " is " + bytes
                + " bytes, more than the " + limits.maxEntryBytes() + " one entry may have");
    }

    /** A folder of .npy files and manifest.json. */
    static final class Folder extends BundleEntries {
        private final Path root;

        Folder(Path root, BundleLimits limits) throws IOException {
            super(root.toString(), limits);
            this.root = root.toRealPath();
            if (!Files.isRegularFile(this.root.resolve(Manifest.FILE_NAME))) {
                throw new BundleException(BundleException.Problem.NOT_A_BUNDLE, root + " holds no "
                        + Manifest.FILE_NAME + ": not a trace bundle (attn-studio trace writes one)");
            }
        }

        @Override
        boolean has(String name) {
            return BundleNames.safe(name) && Files.isRegularFile(root.resolve(name), LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        byte[] read(String name) throws IOException {
            if (!BundleNames.safe(name)) {
                throw unsafe(name);
            }
            Path file = root.resolve(name);
            if (!Files.exists(file)) {
                throw new BundleException(BundleException.Problem.MISSING, where(name) + " is missing");
            }
            if (!file.toRealPath().startsWith(root)) {
                throw unsafe(name);
            }
            long size = Files.size(file);
            if (size > limits.maxEntryBytes()) {
                throw tooLarge(name, size);
            }
            return Files.readAllBytes(file);
        }

        @Override
        public void close() {
        }
    }

    /** A .npz archive: every member's name and declared size checked when it is opened. */
    static final class Archive extends BundleEntries {
        private final ZipFile zip;
        private final Map<String, ZipEntry> members = new HashMap<>();

        Archive(Path file, BundleLimits limits) throws IOException {
            super(file.toString(), limits);
            try {
                zip = new ZipFile(file.toFile());
            } catch (ZipException e) {
                throw new BundleException(BundleException.Problem.NOT_A_BUNDLE, file + " is not a .npz (zip) archive: "
                        + e.getMessage(), e);
            }
            try {
                index();
            } catch (IOException | RuntimeException e) {
                zip.close();
                throw e;
            }
        }

        private void index() throws IOException {
            long total = 0;
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                if (!BundleNames.safe(name)) {
                    throw unsafe(name);
                }
                if (members.size() >= limits.maxEntries()) {
                    throw new BundleException(BundleException.Problem.TOO_LARGE, label + " has more than "
                            + limits.maxEntries() + " entries");
                }
                if (members.put(name, e) != null) {
                    throw new BundleException(BundleException.Problem.MALFORMED, label + " holds two entries named "
                            + name);
                }
                long size = e.getSize();
                if (size < 0) {
                    throw new BundleException(BundleException.Problem.MALFORMED, where(name)
                            + " does not declare its size");
                }
                if (size > limits.maxEntryBytes()) {
                    throw tooLarge(name, size);
                }
                total += size;
                if (total > limits.maxTotalBytes()) {
                    throw new BundleException(BundleException.Problem.TOO_LARGE, label + " declares more than "
                            + limits.maxTotalBytes() + " bytes in all");
                }
            }
            if (!members.containsKey(Manifest.FILE_NAME)) {
                throw new BundleException(BundleException.Problem.NOT_A_BUNDLE, label + " holds no "
                        + Manifest.FILE_NAME + ": a .npz archive, but not a trace bundle (attn-studio trace writes one)");
            }
        }

        @Override
        boolean has(String name) {
            return members.containsKey(name);
        }

        @Override
        byte[] read(String name) throws IOException {
            if (!BundleNames.safe(name)) {
                throw unsafe(name);
            }
            ZipEntry e = members.get(name);
            if (e == null) {
                throw new BundleException(BundleException.Problem.MISSING, where(name) + " is missing");
            }
            int declared = (int) e.getSize(); // checked against the limit when the archive was opened
            byte[] bytes = new byte[declared];
            try (InputStream in = zip.getInputStream(e)) {
                int off = 0;
                while (off < declared) {
                    int n = in.read(bytes, off, declared - off);
                    if (n < 0) {
                        throw new BundleException(BundleException.Problem.MALFORMED, where(name) + " ends after "
                                + off + " of its " + declared + " declared bytes");
                    }
                    off += n;
                }
                if (in.read() >= 0) {
                    throw new BundleException(BundleException.Problem.TOO_LARGE, where(name)
                            + " inflates past its declared " + declared + " bytes");
                }
            } catch (ZipException z) {
                throw new BundleException(BundleException.Problem.MALFORMED, where(name) + ": " + z.getMessage(), z);
            }
            return bytes;
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }
}
