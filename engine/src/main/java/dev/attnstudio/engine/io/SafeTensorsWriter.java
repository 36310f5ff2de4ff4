package dev.attnstudio.engine.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes safetensors files, streaming: the header is computed from the tensors' names, dtypes and shapes, then each
 * tensor's values are asked for chunk by chunk, so a checkpoint larger than the heap can be written.
 *
 * <p>The header is padded with spaces to a multiple of 8 bytes so the data region is aligned, as the reference
 * implementation does. The write is atomic: everything goes to a temporary file in the same folder, which is synced
 * and then moved over the target with {@link StandardCopyOption#ATOMIC_MOVE}, so a reader sees either the old file or
 * the complete new one. The temporary file is removed if anything fails.
 */
final class SafeTensorsWriter {

    /** Values asked for at a time: 1 Mi floats (4 MiB). */
    private static final int CHUNK = 1 << 20;

    /** Names temporary files. */
    private static final SecureRandom RANDOM = new SecureRandom();

    private SafeTensorsWriter() {
    }

    /** See {@link SafeTensors#write(Path, List, Map, SafeTensors.Values)}. */
    static void write(Path file, List<SafeTensors.Info> tensors, Map<String, String> metadata,
                      SafeTensors.Values values) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(values, "values");
        byte[] json = header(tensors, metadata);
        int paddedLength = (json.length + 7) & ~7;

        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        Path temp = folder.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        boolean moved = false;
        // CREATE_NEW (not Files.createTempFile) so the file gets the usual permissions rather than owner-only.
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(paddedLength);
            writeFully(out, buffer.flip());
            ByteBuffer headerBuffer = ByteBuffer.allocate(paddedLength);
            headerBuffer.put(json);
            while (headerBuffer.hasRemaining()) {
                headerBuffer.put((byte) ' ');
            }
            writeFully(out, headerBuffer.flip());
            float[] chunk = new float[CHUNK];
            for (SafeTensors.Info info : tensors) {
                long total = info.elements();
                for (long offset = 0; offset < total; offset += CHUNK) {
                    int count = (int) Math.min(CHUNK, total - offset);
                    values.fill(info.name(), offset, chunk, count);
                    buffer.clear();
                    for (int i = 0; i < count; i++) {
                        HalfPrecision.put(info.dtype(), buffer, chunk[i]);
                    }
                    writeFully(out, buffer.flip());
                }
            }
            out.force(true);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(temp, e);
            throw e;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** The header JSON: metadata first, then each tensor with its offsets in the data region, in list order. */
    private static byte[] header(List<SafeTensors.Info> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = SafeTensorsHeader.JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(SafeTensorsHeader.METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null: " + e);
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (SafeTensors.Info t : tensors) {
            if (t == null) {
                throw new IllegalArgumentException("a tensor is null");
            }
            String name = t.name();
            if (name.equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("'" + SafeTensorsHeader.METADATA_KEY
                        + "' is reserved and cannot name a tensor");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' is listed twice");
            }
            long length = t.elements() * t.dtype().bytes();
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + length);
            offset += length;
        }
        return SafeTensorsHeader.JSON.writeValueAsBytes(header);
    }

    private static void deleteQuietly(Path temp, Throwable failure) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer from) throws IOException {
        while (from.hasRemaining()) {
            channel.write(from);
        }
    }
}
