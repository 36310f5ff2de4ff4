package dev.attnstudio.engine.bench;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where this process's resident memory sits, for the soak benchmarks: the kernel's count (VmRSS = RssAnon + RssFile +
 * RssShmem from {@code /proc/self/status}) beside what the JVM itself says it has committed (Native Memory Tracking's
 * total, when the JVM was started with {@code -XX:NativeMemoryTracking=summary}) and the Java heap's resident pages.
 * Anonymous resident memory that neither accounts for is, in this program, native memory of libtorch and of the other
 * native libraries (glibc malloc's arenas), so
 *
 * <pre>  outside the JVM ~= RssAnon - Java heap resident - NMT committed outside the heap</pre>
 *
 * <p>This is an estimate: NMT's committed figure counts committed but untouched pages too (thread stacks above all),
 * so the remainder can only be read as a lower bound of what the native libraries hold.
 *
 * <p>The JVM's own diagnostic commands are reached through the {@code DiagnosticCommand} MBean (the same commands as
 * {@code jcmd}): {@code VM.native_memory} and {@code System.trim_native_heap}, which calls glibc's
 * {@code malloc_trim(0)} to give free pages of every malloc arena back to the kernel.
 */
final class ProcessMemory {

    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern NMT_HEAP = Pattern.compile("Java Heap \\(reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern HEAP_RANGE = Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");
    private static final Pattern TRIM = Pattern.compile("RSS\\+Swap: (\\S+)->(\\S+)");

    private ProcessMemory() {
    }

    /** Resident memory of this process from /proc/self/status: total, anonymous and file-backed, in kB. */
    record Resident(long rssKb, long anonKb, long fileKb) {

        static Resident now() throws IOException {
            List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
            return new Resident(field(status, "VmRSS:"), field(status, "RssAnon:"), field(status, "RssFile:"));
        }

        private static long field(List<String> status, String name) {
            return status.stream().filter(l -> l.startsWith(name)).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(-1);
        }
    }

    /**
     * What NMT says the JVM committed outside the Java heap (code cache, metaspace, GC structures, threads, compiler
     * arenas, 'Other' = direct buffers and Unsafe), in kB; empty when the JVM runs without native memory tracking.
     * The heap is left out because its committed size is not what is resident: see {@link #heapResidentKb()}.
     */
    static OptionalLong nmtNonHeapCommittedKb() {
        String summary = command("vmNativeMemory", "summary");
        Matcher total = NMT_TOTAL.matcher(summary);
        Matcher heap = NMT_HEAP.matcher(summary);
        if (!total.find() || !heap.find()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(total.group(2)) - Long.parseLong(heap.group(1)));
    }

    /**
     * Resident kB of the Java heap: the Rss of every mapping in {@code /proc/self/smaps} inside the heap's reserved
     * address range (from {@code GC.heap_info}), or -1 when the range is not found. The heap's committed size swings
     * with G1's sizing (hundreds of MiB between collections, shrunk again by a full GC), and only its touched pages
     * count in VmRSS.
     */
    static long heapResidentKb() throws IOException {
        Matcher range = HEAP_RANGE.matcher(command("gcHeapInfo"));
        if (!range.find()) {
            return -1;
        }
        long low = Long.parseUnsignedLong(range.group(1), 16);
        long high = Long.parseUnsignedLong(range.group(2), 16);
        long kb = 0;
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = start >= low && end <= high;
            } else if (inside && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kb;
    }

    /** Records NMT's baseline, so {@link #nmtDiff()} can show per category what the JVM committed since. */
    static void nmtBaseline() {
        command("vmNativeMemory", "baseline");
    }

    /** NMT's summary difference from the baseline ({@code jcmd <pid> VM.native_memory summary.diff}). */
    static String nmtDiff() {
        return command("vmNativeMemory", "summary.diff");
    }

    /**
     * Calls glibc's {@code malloc_trim(0)} through the JVM ({@code System.trim_native_heap}) and returns the JVM's
     * one-line account of it ("RSS+Swap: before->after (change)"), or the JVM's message when the platform has no trim.
     */
    static String trimNativeHeap() {
        String out = command("systemTrimNativeHeap");
        Matcher m = TRIM.matcher(out);
        return m.find() ? m.group(1) + " -> " + m.group(2) : out.strip();
    }

    static boolean nmtOn() {
        return nmtNonHeapCommittedKb().isPresent();
    }

    private static String command(String operation, String... arguments) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            Object out = server.invoke(name, operation, new Object[]{arguments}, new String[]{String[].class.getName()});
            return String.valueOf(out);
        } catch (JMException e) {
            return "diagnostic command " + operation + " failed: " + e.getMessage();
        }
    }

    static String mib(long kb) {
        return String.format(Locale.ROOT, "%.1f", kb / 1024.0);
    }
}
