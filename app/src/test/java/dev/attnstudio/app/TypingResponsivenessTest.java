package dev.attnstudio.app;

import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.ModelSource;
import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.event.Event;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Typing into a long prompt in the real window (headless Monocle): the keys keep coming at a fast typist's pace while
 * a probe after each key measures how long the FX thread takes to answer. Tokenizing, resetting the pass and rebuilding
 * the token strip must not happen per keystroke on the FX thread; once the typing pauses, the token strip catches up.
 *
 * <p>What is asserted is the app's work, counted so that a busy machine cannot fake it: how often the tokens changed
 * while the keys came (tokenizing per keystroke changes them on nearly every key), and the FX thread's own CPU time per
 * key. Wall time is not the app's alone. On a loaded machine the OS may leave the FX thread unscheduled, or a GC stop
 * every thread, while the FX thread uses no CPU; the few milliseconds of layout a key costs become tens when two other
 * processes share the two cores (with two CPU hogs beside it the median probe went from about 3 ms to 23 ms, while
 * the same probes with nothing typed stayed at 0 ms); and a test thread that is not scheduled for 150 ms makes a pause
 * in the typing, after which the app rightly redraws its 2,500-chip token strip on the FX thread, a catch-up that
 * costs hundreds of milliseconds of CPU, seconds on a starved machine (a 2.16 s probe was once seen with two builds
 * beside the test). So the probes' wall times, and the slowest probe with its attribution (the FX thread's CPU time
 * then, GC time, and whether the tokens had caught up), are printed, not asserted.
 */
class TypingResponsivenessTest {

    /** A byte-level model whose position table holds the whole prompt, so every keystroke gives a valid pass. */
    private static final String LONG_CONTEXT = "test-typing-long-context";
    private static final ModelConfig CONFIG = new ModelConfig(2, 2, 64, 4096, 256, 1e-5, ModelConfig.Activation.GELU_NEW);
    private static final int PASTED = 2_400;
    private static final int TYPED = 100;
    /** Between two keys: about 30 keys a second, faster than people type. */
    private static final long KEY_INTERVAL_MS = 30;
    /**
     * The FX thread's CPU time per key away from catch-ups, median and worst. About 7-9 ms was measured (the key, its
     * echo and the layout of 2,500 characters; a plain TextArea holding the same text took about 2 ms), and about 15 ms
     * with the prompt also tokenized on the FX thread per key; a reset of the pass or a redraw of the token strip per key
     * costs hundreds of milliseconds.
     */
    private static final double MEDIAN_CPU_MILLIS = 25;
    private static final double WORST_CPU_MILLIS = 150;
    /** The keys stop coming after this long (100 keys take 3 s at the pace; a blocked FX thread would take minutes). */
    private static final long TYPING_GIVE_UP_SECONDS = 30;
    /** How long a wait gives up after: a starved machine is slow, and a condition met ends the wait early. */
    private static final long PATIENCE_SECONDS = 90;

    private static AttentionStudioApp app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void startApp() throws Exception {
        FxToolkit.registerPrimaryStage();
        app = (AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(TypingResponsivenessTest::open,
                SettingsStore.inMemory()));
        awaitIdle(vm());
        robot().interact(() -> vm().session().openSample(LONG_CONTEXT));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                && vm().session().modelInfoProperty().get().name().equals(LONG_CONTEXT)));
        awaitIdle(vm());
    }

    private static LoadedModel open(ModelSource source) {
        if (source.label().equals(LONG_CONTEXT)) {
            return LoadedModel.of(LONG_CONTEXT, CONFIG, RandomGpt2.tensors(CONFIG, 3, 0.05f),
                    Tokenizer.fromJson(ByteLevelVocab.tokenizerJson(), "byte-level tokenizer.json"), DjlRuntime.DeviceChoice.CPU);
        }
        return source.open(DjlRuntime.DeviceChoice.CPU);
    }

    @AfterAll
    static void stopApp() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }

    @Test
    void typingIntoA2500CharacterPromptKeepsTheFxThreadFreeAndTheTokensCatchUp() throws Exception {
        TextArea field = robot.lookup("#prompt").queryAs(TextArea.class);
        String pasted = "In the beginning God created the heaven and the earth. ".repeat(50).substring(0, PASTED);
        robot.interact(() -> {
            field.setText(pasted);
            field.requestFocus();
            field.end();
        });
        WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> fx(() -> vm().prompt().tokens().size() == PASTED));
        awaitIdle(vm());

        long fxThread = fx(() -> Thread.currentThread().getId());
        AtomicInteger tokenUpdates = new AtomicInteger(); // each time the token strip's tokens change: a catch-up
        ListChangeListener<TokenChip> counter = c -> tokenUpdates.incrementAndGet();
        robot.interact(() -> vm().prompt().tokens().addListener(counter));
        String typed = "And the earth was without form, and void; and darkness was upon the face of the deep. "
                .repeat(2).substring(0, TYPED);
        try {
            Probes typing = probe(TYPED, i -> Platform.runLater(() -> type(field, typed.charAt(i))), fxThread, tokenUpdates);
            System.out.printf("typing %d keys into a %d-character prompt took %d ms: %s%n", typing.wall().length, PASTED,
                    typing.millis(), typing);

            // Work per keystroke, counted: retokenizing on a key would change the tokens on nearly every key; only a
            // pause in the keys (150 ms, which a starved test thread can cause) lets the tokens catch up meanwhile.
            int sent = typing.wall().length;
            assertTrue(typing.catchUps() <= sent / 5, "the tokens changed while typing after " + typing.catchUps()
                    + " of " + sent + " keys: tokenized per keystroke? " + typing);
            // The FX thread's own CPU time per key (not wall time: a thread the OS does not schedule or a GC pause
            // uses none), away from the catch-ups, whose redraw of the token strip is the work a pause is for.
            assertTrue(typing.medianCpuMillis() < MEDIAN_CPU_MILLIS, "the FX thread worked " + typing.medianCpuMillis()
                    + " ms per key (median): " + typing);
            assertTrue(typing.worstCpuMillis() < WORST_CPU_MILLIS, "the FX thread worked " + typing.worstCpuMillis()
                    + " ms on one key: " + typing);
            assertEquals(TYPED, typing.wall().length, "the keys fell behind: " + typing.wall().length + " sent in "
                    + TYPING_GIVE_UP_SECONDS + " s");
            assertEquals(pasted + typed, fx(field::getText), "every key arrived");
        } finally {
            robot.interact(() -> vm().prompt().tokens().removeListener(counter));
        }

        // The tokens catch up once the keys stop.
        long caughtUpStart = System.nanoTime();
        WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> fx(() -> vm().prompt().tokens().size() == PASTED + TYPED));
        System.out.printf("the token strip caught up %d ms after the last key%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - caughtUpStart));
        assertEquals(PASTED + TYPED, (int) fx(() -> vm().prompt().tokens().size()), "the tokens caught up");
    }

    /** FX thread: one typed character, as the keyboard delivers it to the field. */
    private static void type(TextArea field, char c) {
        Event.fireEvent(field, new KeyEvent(KeyEvent.KEY_TYPED, String.valueOf(c), "", KeyCode.UNDEFINED, false, false,
                false, false));
    }

    /** What a key does (posts it to the FX thread), given its index. */
    @FunctionalInterface
    private interface Key {
        void send(int index);
    }

    /**
     * {@code keys} times at {@link #KEY_INTERVAL_MS}: sends the key, then a probe through the FX thread's queue, and
     * waits for the probe. Per key: the probe's wall time (sent to answered), the FX thread's CPU time from this key to
     * the next (the key, the layout it causes, anything else the FX thread did meanwhile), the JVM's GC time over the
     * probe, and whether the tokens changed.
     */
    private static Probes probe(int keys, Key key, long fxThread, AtomicInteger tokenUpdates) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] wall = new long[keys];
        long[] cpu = new long[keys];
        long[] gc = new long[keys];
        boolean[] catchUp = new boolean[keys];
        long start = System.nanoTime();
        long giveUp = start + TimeUnit.SECONDS.toNanos(TYPING_GIVE_UP_SECONDS); // a blocked FX thread: minutes
        long cpuBefore = threads.getThreadCpuTime(fxThread);
        int updatesBefore = tokenUpdates.get();
        int sent = 0;
        while (sent < keys && System.nanoTime() < giveUp) {
            int i = sent++;
            long gcBefore = gcMillis();
            long at = System.nanoTime();
            key.send(i);
            CountDownLatch probe = new CountDownLatch(1);
            Platform.runLater(probe::countDown);
            assertTrue(probe.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "the FX thread did not answer a probe");
            wall[i] = System.nanoTime() - at;
            gc[i] = gcMillis() - gcBefore;
            long next = start + TimeUnit.MILLISECONDS.toNanos(KEY_INTERVAL_MS * (i + 1));
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            long cpuNow = threads.getThreadCpuTime(fxThread);
            cpu[i] = cpuNow - cpuBefore;
            cpuBefore = cpuNow;
            int updatesNow = tokenUpdates.get();
            catchUp[i] = updatesNow != updatesBefore;
            updatesBefore = updatesNow;
        }
        return new Probes(System.nanoTime() - start, Arrays.copyOf(wall, sent), Arrays.copyOf(cpu, sent),
                Arrays.copyOf(gc, sent), Arrays.copyOf(catchUp, sent));
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .filter(t -> t > 0).sum();
    }

    /**
     * One run of probes: nanoseconds per key of wall time and FX-thread CPU time, GC milliseconds per probe, and the keys
     * after which the tokens had changed (catch-ups). A catch-up and the two keys after it are left out of the CPU
     * figures: redrawing the token strip once the typing paused is the work the pause is for.
     */
    private record Probes(long nanos, long[] wall, long[] cpu, long[] gc, boolean[] catchUp) {

        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(nanos);
        }

        int catchUps() {
            int n = 0;
            for (boolean c : catchUp) {
                n += c ? 1 : 0;
            }
            return n;
        }

        long medianMillis() {
            return median(wall) / 1_000_000;
        }

        /** The CPU times of the keys away from catch-ups, in nanoseconds. */
        private long[] steadyCpu() {
            return IntStream.range(0, cpu.length).filter(this::steady).mapToLong(i -> cpu[i]).toArray();
        }

        /** Whether key {@code i} is neither a catch-up nor one of the two after it (its layout may come a frame late). */
        private boolean steady(int i) {
            for (int k = Math.max(0, i - 2); k <= i; k++) {
                if (catchUp[k]) {
                    return false;
                }
            }
            return true;
        }

        double medianCpuMillis() {
            return median(steadyCpu()) / 1e6;
        }

        double worstCpuMillis() {
            return LongStream.of(steadyCpu()).max().orElse(0) / 1e6;
        }

        private static long median(long[] values) {
            return values.length == 0 ? 0 : LongStream.of(values).sorted().toArray()[values.length / 2];
        }

        /** The figures, and the slowest probe attributed: the FX thread's own CPU time in it, and GC pauses. */
        @Override
        public String toString() {
            int worst = IntStream.range(0, wall.length).reduce((a, b) -> wall[a] >= wall[b] ? a : b).orElse(0);
            return String.format(Locale.ROOT, "probe median %d ms, worst %d ms (key %d: FX thread CPU %.1f ms from that key "
                    + "to the next, GC %d ms, tokens changed: %b); FX thread CPU per key median %.2f ms, worst %.1f ms "
                    + "(%d keys away from %d catch-ups); wall ms %s", medianMillis(), wall[worst] / 1_000_000, worst,
                    cpu[worst] / 1e6, gc[worst], catchUp[worst], medianCpuMillis(), worstCpuMillis(), steadyCpu().length,
                    catchUps(),
                    Arrays.toString(LongStream.of(wall).map(w -> w / 1_000_000).toArray()));
        }
    }

    private static FxRobot robot() {
        return new FxRobot();
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

}
