package dev.attnstudio.app.bundle;

import dev.attnstudio.engine.io.Npy;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A bundle as a folder: each entry a file (written atomically by {@link Npy}), the manifest last. */
public final class FolderSink implements BundleSink {

    private final Path folder;
    private int entries;
    private long bytes;

    /** @param folder an existing folder the caller has checked (no earlier bundle in it, or --force) */
    FolderSink(Path folder) throws IOException {
        this.folder = folder.toAbsolutePath().normalize();
        Files.createDirectories(this.folder);
    }

    @Override
    public void float32(String entry, long[] shape, float[] values) throws IOException {
        Path file = file(entry);
        Npy.writeFloat32(file, shape, values);
        count(file);
    }

    @Override
    public void int64(String entry, long[] shape, long[] values) throws IOException {
        Path file = file(entry);
        Npy.writeInt64(file, shape, values);
        count(file);
    }

    @Override
    public void bytes(String entry, byte[] content) throws IOException {
        Path file = file(entry);
        writeAtomically(file, content);
        count(file);
    }

    @Override
    public void commit(byte[] manifest) throws IOException {
        bytes(Manifest.FILE_NAME, manifest);
    }

    @Override
    public int entries() {
        return entries;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public Path location() {
        return folder;
    }

    @Override
    public void close() {
        // every file is already in place; without a manifest the folder is not a bundle
    }

    private Path file(String entry) throws IOException {
        Path file = folder.resolve(BundleSink.checkEntry(entry)).normalize();
        Files.createDirectories(file.getParent());
        return file;
    }

    private void count(Path file) throws IOException {
        entries++;
        bytes += Files.size(file);
    }

    /** Writes a file through a temporary one and an atomic move, so it is never seen half-written. */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, content);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(file + ": the file system cannot replace files atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
