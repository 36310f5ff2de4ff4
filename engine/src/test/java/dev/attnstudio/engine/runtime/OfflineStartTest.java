package dev.attnstudio.engine.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine starts with no network at all: a child JVM in a network namespace of its own (no interfaces but a
 * downed loopback), with an empty DJL cache, extracts the PyTorch natives from the jars and computes.
 */
class OfflineStartTest {

    @TempDir
    Path cache;

    /** The child's entry point: start the engine, compute, print. */
    public static void main(String[] args) {
        DjlRuntime.forceOffline();
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(
                DjlRuntime.device(DjlRuntime.DeviceChoice.AUTO), DjlRuntime.engine().getEngineName())) {
            float sum = m.create(new float[] {1, 2, 3}).mul(2).sum().getFloat();
            System.out.println("engine=" + DjlRuntime.engine().getEngineName() + " sum=" + sum);
        }
    }

    @Test
    void engineStartsWithoutNetworkFromAFreshCache() throws Exception {
        assumeTrue(new ProcessBuilder("unshare", "-n", "true").start().waitFor() == 0,
                "needs unshare -n (root on Linux) to cut the network");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of("unshare", "-n", java,
                "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-DDJL_CACHE_DIR=" + cache,
                OfflineStartTest.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DJL_CACHE_DIR", cache.toString());
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the engine did not start within 120 s");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("engine=PyTorch sum=12.0"), out);
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("libtorch")),
                    "the natives should have been extracted into the fresh cache " + cache + File.separator);
        }
    }
}
