package dev.attnstudio.app.export;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that nobody sees it half written and nothing is replaced by accident: the content goes to a
 * temporary file in the target's own directory (same file system, so the final step is a rename), which is
 * then moved into place. Without {@code overwrite} an existing target is an error; the new file is published
 * with a hard link, which fails rather than replace a file that appeared in the meantime.
 */
public final class AtomicFiles {

    /** Writes the whole content to the (temporary) file it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * @return the absolute target path
     * @throws FileAlreadyExistsException if the target exists and {@code overwrite} is false (nothing written)
     */
    public static Path write(Path target, boolean overwrite, Content content) throws IOException {
        Path file = target.toAbsolutePath();
        if (!overwrite && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(file);
        }
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot write " + file + ": its folder does not exist");
        }
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".part");
        try {
            content.writeTo(tmp);
            shareable(tmp, file);
            if (overwrite) {
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException(file + ": the file system cannot replace files atomically", e);
                }
            } else {
                publishNew(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    /**
     * Temporary files are created private (rw-------); an export is a document for others to open, so it gets
     * the permissions of the file it replaces, or rw-r--r--.
     */
    private static void shareable(Path tmp, Path file) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> perms = Files.exists(file)
                ? Files.getPosixFilePermissions(file) : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    private static void publishNew(Path tmp, Path file) throws IOException {
        try {
            Files.createLink(file, tmp);
            return;
        } catch (FileAlreadyExistsException e) {
            throw exists(file);
        } catch (UnsupportedOperationException | FileSystemException e) {
            // no hard links here (some network and FAT file systems): check, then rename
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(file);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static FileAlreadyExistsException exists(Path file) {
        return new FileAlreadyExistsException(file.toString(), null, "already exists; export again with overwrite to replace it");
    }
}
