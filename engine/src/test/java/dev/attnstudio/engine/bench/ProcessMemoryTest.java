package dev.attnstudio.engine.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The soak benchmark's split of resident memory, against what this JVM is known to do: a heap array that is touched
 * shows in the Java heap's resident pages and in VmRSS; the test JVM runs without native memory tracking.
 */
@EnabledOnOs(OS.LINUX)
class ProcessMemoryTest {

    private static final int MIB = 1 << 20;

    @Test
    void residentSplitsIntoAnonymousAndFileBacked() throws IOException {
        ProcessMemory.Resident r = ProcessMemory.Resident.now();
        assertTrue(r.rssKb() > 0 && r.anonKb() > 0 && r.fileKb() > 0, r.toString());
        // VmRSS = RssAnon + RssFile + RssShmem
        assertTrue(r.anonKb() + r.fileKb() <= r.rssKb(), r.toString());
    }

    @Test
    void aLiveTouchedHeapArrayIsInsideTheHeapsResidentPages() throws IOException {
        byte[] block = new byte[64 * MIB];
        for (int i = 0; i < block.length; i += 4096) {
            block[i] = 1;
        }
        // the array may land in pages earlier tests touched, so the heap's resident size need not grow; but while the
        // array lives and every page of it was written, the heap holds at least its 64 MiB, and VmRSS holds the heap
        long heap = ProcessMemory.heapResidentKb();
        long rss = ProcessMemory.Resident.now().rssKb();
        assertTrue(heap >= 64 * 1024, "heap resident " + heap + " kB with a live, touched 64 MiB array");
        assertTrue(heap <= rss, "heap resident " + heap + " kB > VmRSS " + rss + " kB");
        assertEquals(1, block[4096]);
    }

    @Test
    void withoutNativeMemoryTrackingThereIsNoJvmSplit() {
        // surefire starts the test JVM without -XX:NativeMemoryTracking
        assertFalse(ProcessMemory.nmtOn());
        assertTrue(ProcessMemory.nmtNonHeapCommittedKb().isEmpty());
    }

    @Test
    void trimmingTheNativeHeapReportsResidentBeforeAndAfter() {
        // glibc's malloc_trim through System.trim_native_heap: "<before> -> <after>", e.g. "212M -> 198M"
        assertTrue(ProcessMemory.trimNativeHeap().matches("\\S+ -> \\S+"), ProcessMemory.trimNativeHeap());
    }
}
