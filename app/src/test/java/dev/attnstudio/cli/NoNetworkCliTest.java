package dev.attnstudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attnstudio.engine.offline.NetworkGuard;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's trace, run in this JVM ({@link Main#run}) with every Java socket refused and recorded by a
 * JVM-wide security manager: on a bundled sample (by name) and on a model folder on disk (the path the app's File ▸
 * Open model folder takes, {@code ModelFolder.open}), with a generated token. Nothing may try to connect, and the
 * trace must still be written. (The engine's own half is {@code dev.attnstudio.engine.offline.NoNetworkTest}; the
 * app's is {@code dev.attnstudio.app.NoNetworkWindowTest}, with the same {@link NetworkGuard}.)
 */
class NoNetworkCliTest {

    private static final Path SAMPLES = Path.of(System.getProperty("basedir", "."), "..", "sample-models", "src",
            "main", "resources", "dev", "attnstudio", "samples").normalize();

    @TempDir
    Path dir;

    private static List<NetworkGuard.Attempt> guarded(Runnable body) {
        try (NetworkGuard guard = NetworkGuard.install()) {
            body.run();
            return guard.attempts();
        }
    }

    @Test
    void theGuardRefusesAndRecordsAConnection() {
        List<NetworkGuard.Attempt> attempts = guarded(() -> assertThrows(SecurityException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", 9), 100);
            }
        }));
        assertEquals(1, attempts.size(), attempts.toString());
    }

    @Test
    void traceOfABundledSampleAndOfAModelFolderTriesNoConnection() {
        Path bundled = dir.resolve("bundled");
        Path folder = dir.resolve("folder");
        List<NetworkGuard.Attempt> attempts = guarded(() -> {
            assertTraced(bundled, "trace", "--model", "tiny-gpt", "--prompt", "And God said", "--generate", "1",
                    "--out", bundled.toString());
            assertTraced(folder, "trace", "--model", SAMPLES.resolve("induction-2l").toString(), "--prompt",
                    "a5 a12 a40 a7", "--generate", "1", "--out", folder.toString());
        });
        assertTrue(attempts.isEmpty(), "the command line tried to connect: " + attempts);
    }

    private static void assertTraced(Path out, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, po, pe);
        }
        assertEquals(0, code, "trace failed: " + e.toString(StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(out.resolve("manifest.json")), "no manifest.json in " + out);
        assertTrue(Files.isDirectory(out.resolve("step-001")), "no step-001/ for the generated token in " + out);
    }
}
