package dev.attnstudio.engine.bench;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Capture;
import dev.attnstudio.engine.step.Stepper;

import java.io.IOException;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * A long session in one JVM, as a day of teaching makes it: {@code cycles} times (default 1000) a new prompt of 8 to 40
 * tokens in compact or full capture, a few steps, a step back, step over, run to the end and a generated token, on a
 * GPT-2-shaped model with random weights (2 layers, 4 heads, d_model 128, 1024 positions).
 *
 * <p>Takes a reading at the start (after a warm-up that meets the longest prompt in both capture modes, then 20
 * cycles), about every tenth of the run, in the middle and at the end: resident memory (VmRSS) split into file-backed
 * and anonymous pages, the anonymous pages split again into the Java heap's, what the JVM committed outside the heap
 * and the native rest (libtorch's malloc), see {@link ProcessMemory}; heap in use after a GC and the model's managed
 * native arrays. Each reading runs a full GC and waits until G1 has given the freed heap pages back (it does so in a
 * concurrent task, so VmRSS right after the GC can still hold tens to hundreds of MiB the heap has let go). Exits 1
 * when resident memory grew from start to end by more than {@link #MAX_GROWTH} (the reliability target), so a script
 * can gate on it. At the very end, after the verdict's reading, it asks glibc to trim its malloc arenas and prints how
 * much resident memory that gave back: memory that malloc held free, not memory in use.
 *
 * <p>{@code --cycles N} sets the number of cycles, {@code --readings K} about how many readings to print between start
 * and end, {@code --trim-every M} trims glibc's malloc arenas every M cycles (what {@code -XX:TrimNativeHeapInterval}
 * does by time). Start the JVM with {@code -XX:NativeMemoryTracking=summary} (as {@code .ci/soak} does) for the JVM's
 * share; without it the readings show resident memory and the Java heap only.
 */
public final class SoakBenchmark {

    /** Resident-memory growth from start to end that counts as a leak: 10% (the reliability target). */
    static final double MAX_GROWTH = 0.10;
    private static final int WARM_UP = 20;
    private static final int MAX_PROMPT = 40;
    private static final long SETTLED_MS = 300;
    private static final long MAX_SETTLE_MS = 10_000;

    private SoakBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        DjlRuntime.forceOffline();
        Options options = Options.parse(args);
        int cycles = options.cycles;
        ModelConfig config = new ModelConfig(2, 4, 128, 1024, 256, 1e-5, ModelConfig.Activation.GELU_NEW);
        SplittableRandom random = new SplittableRandom(2026);
        try (LoadedModel model = LoadedModel.of("soak-gpt2", config, RandomGpt2.tensors(config, 7, 0.1f), null,
                DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            Sampler sampler = new Sampler(new SamplingConfig(0.8, 40, 0.95, 11));
            // the warm-up meets the largest sizes first (the longest prompt in both capture modes), so the start reading
            // already holds what the allocator and the KV cache keep for them: growth after it is a leak, not a first use
            cycle(stepper, sampler, random, config, MAX_PROMPT, Capture.COMPACT);
            cycle(stepper, sampler, random, config, MAX_PROMPT, Capture.FULL);
            for (int i = 0; i < WARM_UP; i++) {
                cycle(stepper, sampler, random, config);
            }
            boolean nmt = ProcessMemory.nmtOn();
            if (nmt) {
                ProcessMemory.nmtBaseline();
            }
            System.out.println("soak: " + cycles + " cycles" + (options.trimEvery > 0
                    ? ", glibc malloc_trim(0) every " + options.trimEvery + " cycles (System.trim_native_heap)" : "")
                    + (nmt ? "" : " (start the JVM with -XX:NativeMemoryTracking=summary to split JVM and native memory)"));
            Reading start = Reading.now(model, 0);
            System.out.println("  " + start);
            Reading middle = null;
            int every = Math.max(1, cycles / options.readings);
            long t0 = System.nanoTime();
            for (int i = 1; i <= cycles; i++) {
                cycle(stepper, sampler, random, config);
                if (options.trimEvery > 0 && i % options.trimEvery == 0) {
                    ProcessMemory.trimNativeHeap();
                }
                if (i == cycles / 2) {
                    middle = Reading.now(model, i);
                    System.out.println("  " + middle + "   <- middle");
                } else if (i % every == 0 && i != cycles) {
                    System.out.println("  " + Reading.now(model, i));
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Reading end = Reading.now(model, cycles);
            System.out.println("  " + end);
            double growth = (double) (end.resident.rssKb() - start.resident.rssKb()) / start.resident.rssKb();
            System.out.printf(Locale.ROOT, "soak: %d step/reset/generate cycles in %.1f s (%.1f ms each)%n", cycles, seconds,
                    1000 * seconds / cycles);
            System.out.println("  start  " + start);
            System.out.println("  middle " + middle);
            System.out.println("  end    " + end);
            System.out.printf(Locale.ROOT, "  resident memory growth start -> end: %+.1f%% (limit %.0f%%)%n", 100 * growth,
                    100 * MAX_GROWTH);
            System.out.println("  of which (MiB): " + end.minus(start));
            if (nmt) {
                System.out.println("  JVM native memory committed since start, by NMT category (kB):");
                ProcessMemory.nmtDiff().lines().filter(l -> l.matches("^-\\s.*committed=.*[+-]\\d+KB.*")
                        || l.startsWith("Total")).forEach(l -> System.out.println("    " + l.strip()));
            }
            // after the verdict's reading, so it does not change it: how much of the resident memory was free memory
            // that glibc's malloc kept instead of giving it back to the kernel
            System.out.println("  after the end reading, malloc_trim(0) (System.trim_native_heap): resident (RSS+swap) "
                    + ProcessMemory.trimNativeHeap());
            if (growth > MAX_GROWTH) {
                System.exit(1);
            }
        }
    }

    /** The command line: {@code --cycles N}, {@code --readings K}, {@code --trim-every M}. */
    private record Options(int cycles, int readings, int trimEvery) {

        static Options parse(String[] args) {
            int cycles = 1000;
            int readings = 10;
            int trimEvery = 0;
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw usage();
                }
                int value = Integer.parseInt(args[i + 1]);
                switch (args[i]) {
                    case "--cycles" -> cycles = value;
                    case "--readings" -> readings = value;
                    case "--trim-every" -> trimEvery = value;
                    default -> throw usage();
                }
            }
            if (cycles < 2 || readings < 1 || trimEvery < 0) {
                throw usage();
            }
            return new Options(cycles, readings, trimEvery);
        }

        private static IllegalArgumentException usage() {
            return new IllegalArgumentException("usage: SoakBenchmark [--cycles N (>= 2)] [--readings K] [--trim-every M]");
        }
    }

    /** One cycle of what a user does with a prompt of 8 to {@link #MAX_PROMPT} tokens, in compact or full capture. */
    private static void cycle(Stepper stepper, Sampler sampler, SplittableRandom random, ModelConfig config) {
        cycle(stepper, sampler, random, config, 8 + random.nextInt(MAX_PROMPT - 7),
                random.nextBoolean() ? Capture.COMPACT : Capture.FULL);
    }

    private static void cycle(Stepper stepper, Sampler sampler, SplittableRandom random, ModelConfig config, int length,
                              Capture capture) {
        long[] ids = new long[length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(config.vocabSize());
        }
        stepper.setOptions(Stepper.Options.DEFAULT.withCapture(capture));
        stepper.reset(ids);
        for (int i = 0; i < 3; i++) {
            stepper.step();
        }
        stepper.stepBack();
        stepper.stepOver();
        stepper.runToEnd();
        stepper.generate(sampler);
        stepper.runToEnd();
    }

    /**
     * Memory after {@code cycle} cycles: resident (VmRSS, split into anonymous and file-backed), NMT's committed total
     * when tracking is on, heap in use after a GC (bytes), the model manager's native arrays.
     */
    private record Reading(int cycle, ProcessMemory.Resident resident, long heapAtGcKb, long heapResidentKb,
                           OptionalLong nmtKb, long heapBytes, long heapCommittedBytes, int arrays) {

        static Reading now(LoadedModel model, int cycle) throws IOException {
            System.gc();
            // G1 shrinks the heap after a full GC but gives the pages back in a concurrent task (JDK 16 and later), so
            // right after System.gc() VmRSS may still hold hundreds of MiB the heap no longer uses; wait until the
            // heap's resident size has stopped changing for SETTLED_MS (at most MAX_SETTLE_MS)
            long atGc = ProcessMemory.heapResidentKb();
            long heap = atGc;
            for (long stable = 0, waited = 0; stable < SETTLED_MS && waited < MAX_SETTLE_MS; waited += 100) {
                sleep(100);
                long now = ProcessMemory.heapResidentKb();
                stable = now == heap ? stable + 100 : 0;
                heap = now;
            }
            Runtime rt = Runtime.getRuntime();
            return new Reading(cycle, ProcessMemory.Resident.now(), atGc, heap, ProcessMemory.nmtNonHeapCommittedKb(),
                    rt.totalMemory() - rt.freeMemory(), rt.totalMemory(), model.model().manager().getManagedArrays().size());
        }

        /** Where the resident memory changed from {@code earlier} to this reading. */
        String minus(Reading earlier) {
            long heap = heapResidentKb - earlier.heapResidentKb;
            long file = resident.fileKb() - earlier.resident.fileKb();
            String split = nmtKb.isPresent() && earlier.nmtKb.isPresent()
                    ? String.format(Locale.ROOT, ", JVM outside the heap %+.1f, native outside the JVM %+.1f",
                    (nmtKb.getAsLong() - earlier.nmtKb.getAsLong()) / 1024.0,
                    (resident.anonKb() - heapResidentKb - nmtKb.getAsLong()
                            - (earlier.resident.anonKb() - earlier.heapResidentKb - earlier.nmtKb.getAsLong())) / 1024.0)
                    : "";
            return String.format(Locale.ROOT, "file-backed %+.1f, Java heap %+.1f%s", file / 1024.0, heap / 1024.0, split);
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the heap to settle", e);
            }
        }

        @Override
        public String toString() {
            String split = nmtKb.isPresent()
                    ? String.format(Locale.ROOT, ", JVM outside the heap (NMT) %s, native outside the JVM %s",
                    ProcessMemory.mib(nmtKb.getAsLong()),
                    ProcessMemory.mib(resident.anonKb() - heapResidentKb - nmtKb.getAsLong()))
                    : "";
            return String.format(Locale.ROOT, "cycle %5d: resident %s MiB (file %s, anon %s: Java heap %s (%s right after the GC)%s); heap used %.1f"
                            + " of %.1f MiB committed; model arrays %d",
                    cycle, ProcessMemory.mib(resident.rssKb()), ProcessMemory.mib(resident.fileKb()),
                    ProcessMemory.mib(resident.anonKb()), ProcessMemory.mib(heapResidentKb), ProcessMemory.mib(heapAtGcKb), split, heapBytes / 1048576.0,
                    heapCommittedBytes / 1048576.0, arrays);
        }
    }
}
