package dev.attnstudio.app.bundle;

import dev.attnstudio.engine.io.Npy;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A bundle as one .npz archive: a zip (DEFLATED, fastest level: float data barely compresses) whose .npy entries
 * {@code numpy.load} returns as arrays keyed by the name without ".npy" ({@code d["blocks.0.attn.hook_pattern"]}).
 * The manifest and the vocabulary are plain JSON entries, which {@code numpy.load} returns as bytes
 * ({@code json.loads(d["manifest.json"])}). The archive is written to a temporary file next to its destination and
 * moved into place by {@link #commit}.
 */
public final class NpzSink implements BundleSink {

    private final Path target;
    private final Path tmp;
    private final ZipOutputStream zip;
    private final Set<String> names = new HashSet<>();
    private int entries;
    private long bytes;
    private boolean committed;

    NpzSink(Path target) throws IOException {
        this.target = target.toAbsolutePath().normalize();
        Path parent = this.target.getParent();
        Files.createDirectories(parent);
        this.tmp = Files.createTempFile(parent, "." + this.target.getFileName(), ".tmp");
        this.zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20));
        zip.setLevel(Deflater.BEST_SPEED);
    }

    @Override
    public void float32(String entry, long[] shape, float[] values) throws IOException {
        begin(entry);
        Npy.writeFloat32(counted(), shape, values);
        zip.closeEntry();
    }

    @Override
    public void int64(String entry, long[] shape, long[] values) throws IOException {
        begin(entry);
        Npy.writeInt64(counted(), shape, values);
        zip.closeEntry();
    }

    @Override
    public void bytes(String entry, byte[] content) throws IOException {
        begin(entry);
        counted().write(content);
        zip.closeEntry();
    }

    @Override
    public void commit(byte[] manifest) throws IOException {
        bytes(Manifest.FILE_NAME, manifest);
        zip.close();
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(target + ": the file system cannot replace files atomically", e);
        }
        committed = true;
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
        return target;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            try {
                zip.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private void begin(String entry) throws IOException {
        if (!names.add(BundleSink.checkEntry(entry))) {
            throw new IllegalArgumentException("the bundle already holds an entry named " + entry);
        }
        zip.putNextEntry(new ZipEntry(entry));
        entries++;
    }

    /** The open entry, counting bytes; closing it does not close the archive. */
    private OutputStream counted() {
        return new FilterOutputStream(zip) {
            @Override
            public void write(int b) throws IOException {
                zip.write(b);
                bytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                zip.write(b, off, len);
                bytes += len;
            }

            @Override
            public void close() {
                // the entry is closed by the sink
            }
        };
    }
}
