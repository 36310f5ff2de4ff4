package dev.attnstudio.app;

import ai.djl.ndarray.NDManager;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.WeightSource;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.ModelSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.fireMenuItem;
import static dev.attnstudio.app.AppHarness.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app soak: one window (headless Monocle) opens bundled samples one after another through File ▸ Open sample, each
 * followed by a pass run to its end. {@code -Dsoak.switches=N} sets the number of switches (20 by default, to keep the
 * suite fast; the README's figures are from 200).
 *
 * <p>No leaked native arrays: every model the window closed has its native manager closed with no array left in it,
 * and the open model's manager holds, after each run to the end, exactly as many arrays as it did the first time that
 * sample ran (its weights plus one pass). Resident memory (VmRSS) and the heap in use are printed at the start (after a
 * warm-up of a tenth of the switches, at least one round of every sample), the middle and the end.
 */
class SoakWindowTest {

    /** The samples the soak goes round: every bundled one built from files or seeds (the ONNX imports take seconds each). */
    private static final List<String> ROUND = List.of("tiny-gpt", "random-gpt2-tiny", "induction-2l", "tiny-llama",
            "reverse-t5", "induction-2l-collapsed");
    private static final int SWITCHES = Integer.getInteger("soak.switches", 20);

    /** The native manager of every model the window opened, in order. */
    private static final List<NDManager> OPENED = new CopyOnWriteArrayList<>();

    private static AttentionStudioApp app;

    @BeforeAll
    static void start() throws Exception {
        ModelOpener standard = ModelOpener.standard(DjlRuntime.DeviceChoice.CPU);
        ModelOpener counting = new ModelOpener() {
            @Override
            public LoadedModel open(ModelSource source) {
                return keep(standard.open(source));
            }

            @Override
            public LoadedModel open(ModelSource source, WeightSource.Progress progress) {
                return keep(standard.open(source, progress));
            }
        };
        FxToolkit.registerPrimaryStage();
        app = (AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(counting, SettingsStore.inMemory()));
        awaitIdle(vm());
    }

    private static LoadedModel keep(LoadedModel model) {
        OPENED.add(model.model().manager());
        return model;
    }

    @AfterAll
    static void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
        OPENED.clear();
    }

    @Test
    void switchesAndPassesLeaveNoNativeArrayBehind() throws Exception {
        assertTrue(SWITCHES >= ROUND.size(), "at least one round of the samples: " + SWITCHES);
        Map<String, Integer> arraysAfterPass = new HashMap<>();
        long[] rss = new long[3];
        // the start reading comes after a warm-up (a tenth of the run, at least a round of every sample): the first
        // switches grow the heap and the native allocator's pools to their working size, which is not a leak
        int warmUp = Math.max(ROUND.size(), SWITCHES / 10);
        long start = System.nanoTime();
        for (int i = 0; i < SWITCHES; i++) {
            String sample = ROUND.get(i % ROUND.size());
            fireMenuItem("sample-" + sample);
            WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                    && vm().session().modelInfoProperty().get().name().equals(sample) && vm().status().isReady()));
            awaitIdle(vm());
            fx(() -> {
                vm().stepping().runToEnd();
                return null;
            });
            awaitIdle(vm());
            String where = "switch " + (i + 1) + " to " + sample;
            assertFalse(fx(() -> vm().status().messageProperty().get().error()), where + ": "
                    + fx(() -> vm().status().messageProperty().get().text()));
            int steps = fx(() -> vm().stepping().steps().size());
            assertEquals(steps - 1, (int) fx(() -> vm().stepping().currentIndexProperty().get()), where + ": ran to the end");

            NDManager open = OPENED.get(OPENED.size() - 1);
            for (NDManager closed : OPENED.subList(0, OPENED.size() - 1)) {
                assertFalse(closed.isOpen(), where + ": a model the window left is still open");
                assertEquals(0, closed.getManagedArrays().size(), where + ": arrays left in a closed model's manager");
            }
            int arrays = open.getManagedArrays().size();
            Integer first = arraysAfterPass.putIfAbsent(sample, arrays);
            if (first != null) {
                assertEquals(first, arrays, where + ": the open model's arrays after its pass, against its first pass");
            }
            int at = i == warmUp - 1 ? 0 : i == (warmUp + SWITCHES) / 2 - 1 ? 1 : i == SWITCHES - 1 ? 2 : -1;
            if (at >= 0) {
                System.gc();
                Runtime rt = Runtime.getRuntime();
                rss[at] = residentKiB();
                System.out.printf("app soak: after switch %d: resident %d MiB, heap in use after a GC %d MiB, open "
                        + "model's native arrays %d (%s)%n", i + 1, rss[at] / 1024,
                        (rt.totalMemory() - rt.freeMemory()) >> 20, arrays, sample);
            }
        }
        System.out.printf("app soak: %d switches and passes in %d s; %d models closed, 0 arrays left in them; resident "
                        + "start (after %d switches) %d MiB, middle %d MiB, end %d MiB (%+.1f%% from start)%n", SWITCHES,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), OPENED.size() - 1, warmUp, rss[0] / 1024,
                rss[1] / 1024, rss[2] / 1024, 100.0 * (rss[2] - rss[0]) / rss[0]);
    }

    /** VmRSS of this process in KiB, from /proc (0 where there is none). */
    private static long residentKiB() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }
}
