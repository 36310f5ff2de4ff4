package dev.attnstudio.app.bundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bundles built by hand to attack the reader: names reaching out of the bundle, sizes declared or inflated past the
 * limits, entries the manifest lists but the archive lacks. Each is refused with its {@link BundleException.Problem}
 * before anything large is allocated.
 */
class HostileBundleTest {

    @TempDir
    Path dir;

    private static final byte[] MANIFEST = "{\"format_version\": 2}".getBytes(StandardCharsets.UTF_8);

    private Path zip(String name, Entry... entries) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Entry e : entries) {
                ZipEntry z = new ZipEntry(e.name());
                if (e.stored()) {
                    z.setMethod(ZipEntry.STORED);
                    z.setSize(e.bytes().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.bytes());
                    z.setCrc(crc.getValue());
                }
                zip.putNextEntry(z);
                zip.write(e.bytes());
                zip.closeEntry();
            }
        }
        return file;
    }

    private record Entry(String name, byte[] bytes, boolean stored) {
        static Entry of(String name, byte[] bytes) {
            return new Entry(name, bytes, false);
        }
    }

    private static BundleException.Problem refused(Path bundle, BundleLimits limits) {
        BundleException e = assertThrows(BundleException.class, () -> RecordedTrace.open(bundle, limits).close());
        assertTrue(e.getMessage().contains(bundle.toString()), e.getMessage());
        return e.problem();
    }

    @Test
    void namesThatClimbOutOrAreAbsoluteAreRefused() throws IOException {
        for (String name : new String[] {"../evil.npy", "step-001/../../evil.npy", "/etc/evil.npy", "C:\\evil.npy",
                "a/./b.npy", "a//b.npy"}) {
            Path npz = zip("bad.npz", Entry.of(Manifest.FILE_NAME, MANIFEST), Entry.of(name, new byte[8]));
            assertEquals(BundleException.Problem.UNSAFE_NAME, refused(npz, BundleLimits.DEFAULT), name);
        }
    }

    @Test
    void aManifestListingAPathOutsideTheFolderIsRefused() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("bundle"));
        Files.write(dir.resolve("secret.npy"), new byte[128]);
        Files.writeString(folder.resolve(Manifest.FILE_NAME), "{\"format_version\": 2, \"model\": {\"name\": \"m\","
                + " \"capabilities\": {\"family\": \"gpt2\", \"stacks\": []}}, \"groups\": [{\"index\": 0, \"files\": "
                + "[{\"hook\": \"hook_logits\", \"file\": \"../secret.npy\", \"dtype\": \"float32\"}]}]}");
        assertEquals(BundleException.Problem.UNSAFE_NAME, refused(folder, BundleLimits.DEFAULT));
    }

    @Test
    void anEntryDeclaringMoreThanTheLimitIsRefusedBeforeItIsRead() throws IOException {
        // 4 MiB of zeros deflate to a few KiB: the declared size, not the archive's, is what the limit checks
        Path npz = zip("bomb.npz", Entry.of(Manifest.FILE_NAME, MANIFEST), Entry.of("hook_logits.npy", new byte[4 << 20]));
        assertTrue(Files.size(npz) < 64 << 10);
        assertEquals(BundleException.Problem.TOO_LARGE, refused(npz, new BundleLimits(1 << 20, 1L << 30, 100)));
        assertEquals(BundleException.Problem.TOO_LARGE, refused(npz, new BundleLimits(8 << 20, 2 << 20, 100)),
                "the total counts too");
    }

    @Test
    void aHugeDeclaredSizeIsRefusedWithoutAllocatingIt() throws IOException {
        Path npz = zip("huge.npz", Entry.of(Manifest.FILE_NAME, MANIFEST), new Entry("hook_logits.npy", new byte[16], true));
        patchCentralSizes(npz, "hook_logits.npy", 0x7FFF_FFF0L); // ~2 GiB declared, 16 bytes present
        assertEquals(BundleException.Problem.TOO_LARGE, refused(npz, BundleLimits.DEFAULT));
    }

    @Test
    void anEntryInflatingPastItsDeclaredSizeIsRefused() throws IOException {
        Path npz = zip("liar.npz", Entry.of(Manifest.FILE_NAME, MANIFEST), Entry.of("hook_logits.npy", new byte[1 << 20]));
        patchCentralSizes(npz, "hook_logits.npy", 100); // declares 100 bytes, inflates to 1 MiB
        byte[] manifest = ("{\"format_version\": 2, \"model\": {\"name\": \"m\", \"capabilities\": {\"family\": \"gpt2\","
                + " \"stacks\": []}}, \"groups\": [{\"index\": 0, \"files\": [{\"hook\": \"hook_logits\", \"file\": "
                + "\"hook_logits.npy\", \"dtype\": \"float32\"}]}]}").getBytes(StandardCharsets.UTF_8);
        Path liar = zip("liar2.npz", Entry.of(Manifest.FILE_NAME, manifest), Entry.of("hook_logits.npy", new byte[1 << 20]));
        patchCentralSizes(liar, "hook_logits.npy", 100);
        try (RecordedTrace t = RecordedTrace.open(liar)) {
            BundleException e = assertThrows(BundleException.class, () -> t.read(0, "hook_logits"));
            assertTrue(e.problem() == BundleException.Problem.TOO_LARGE
                    || e.problem() == BundleException.Problem.MALFORMED, e.problem() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("hook_logits.npy"), e.getMessage());
        }
    }

    @Test
    void missingManifestEntriesAndGarbageAreTyped() throws IOException {
        Path noManifest = zip("plain.npz", Entry.of("a.npy", new byte[8]));
        assertEquals(BundleException.Problem.NOT_A_BUNDLE, refused(noManifest, BundleLimits.DEFAULT));
        Path garbage = dir.resolve("garbage.npz");
        Files.writeString(garbage, "not a zip at all");
        assertEquals(BundleException.Problem.NOT_A_BUNDLE, refused(garbage, BundleLimits.DEFAULT));
        Path old = zip("old.npz", Entry.of(Manifest.FILE_NAME, "{\"format_version\": 1}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(BundleException.Problem.UNSUPPORTED_VERSION, refused(old, BundleLimits.DEFAULT));
        Path broken = zip("broken.npz", Entry.of(Manifest.FILE_NAME, "{\"format_version\": 2, \"groups\": [".getBytes(
                StandardCharsets.UTF_8)));
        assertEquals(BundleException.Problem.MALFORMED, refused(broken, BundleLimits.DEFAULT));
        byte[] lists = ("{\"format_version\": 2, \"model\": {\"name\": \"m\", \"capabilities\": {\"family\": \"gpt2\","
                + " \"stacks\": []}}, \"groups\": [{\"index\": 0, \"files\": [{\"hook\": \"hook_logits\", \"file\": "
                + "\"hook_logits.npy\", \"dtype\": \"float32\"}]}]}").getBytes(StandardCharsets.UTF_8);
        Path missing = zip("missing.npz", Entry.of(Manifest.FILE_NAME, lists));
        assertEquals(BundleException.Problem.MISSING, refused(missing, BundleLimits.DEFAULT));
    }

    /**
     * Rewrites the uncompressed size of one entry in the archive's central directory (what a reader trusts), as a
     * hostile archive would: central header signature 0x02014b50, uncompressed size at offset 24, name length at 28,
     * name at 46.
     */
    private static void patchCentralSizes(Path zip, String name, long size) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        boolean patched = false;
        for (int i = 0; i + 46 < bytes.length; i++) {
            if (b.getInt(i) != 0x02014b50) {
                continue;
            }
            int nameLength = b.getShort(i + 28) & 0xFFFF;
            String entry = new String(bytes, i + 46, nameLength, StandardCharsets.UTF_8);
            if (entry.equals(name)) {
                b.putInt(i + 24, (int) size);
                patched = true;
            }
        }
        assertTrue(patched, "no central directory entry named " + name);
        Files.write(zip, bytes);
    }
}
