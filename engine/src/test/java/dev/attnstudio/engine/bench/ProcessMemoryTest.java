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
    void aTouchedHeapArrayIsCountedInTheHeapsResidentPages() throws IOException {
        long heapBefore = ProcessMemory.heapResidentKb();
        long rssBefore = ProcessMemory.Resident.now().rssKb();
        byte[] block = new byte[64 * MIB];
        for (int i = 0; i < block.length; i += 4096) {
            block[i] = 1;
        }
        long heapAfter = ProcessMemory.heapResidentKb();
        long rssAfter = ProcessMemory.Resident.now().rssKb();
        assertTrue(heapBefore >= 0, "the heap's address range was not found in GC.heap_info");
        // the array may land in pages the heap had touched before, so ask for most of it, not all
        assertTrue(heapAfter - heapBefore > 32 * 1024, "heap resident " + heapBefore + " -> " + heapAfter + " kB");
        assertTrue(heapAfter <= rssAfter, "heap resident " + heapAfter + " kB > VmRSS " + rssAfter + " kB");
        assertTrue(rssAfter - rssBefore > 32 * 1024, "VmRSS " + rssBefore + " -> " + rssAfter + " kB");
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
