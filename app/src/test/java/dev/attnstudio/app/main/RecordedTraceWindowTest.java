package dev.attnstudio.app.main;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.HeadDetailView;
import dev.attnstudio.app.attention.HeadTab;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.bundle.RecordedTrace;
import dev.attnstudio.cli.Main;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.step.TensorData;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bundle round trip in the real window (headless Monocle): {@code attn-studio trace} writes a .npz of a bundled
 * sample; File ▸ Open trace opens it with no model; the status bar says it is a recorded trace, generation is
 * disabled, and the Head tab draws the bundle's own arrays for the pass and head shown.
 */
class RecordedTraceWindowTest {

    @TempDir
    static Path dir;

    private static AppHarness app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        app = AppHarness.start();
        awaitIdle();
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    @Test
    void aRecordedTraceOpensWithoutItsModelAndTheHeadTabShowsItsArrays() throws Exception {
        Path npz = dir.resolve("tiny.npz");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"trace", "--model", "tiny-gpt", "--prompt", "And God said", "--generate", "2",
                "--device", "cpu", "--out", npz.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));

        assertNotNull(fx(() -> menuItem("openTraceItem")), "File > Open trace is in the menu");
        assertNotNull(fx(() -> menuItem("openTraceItem").getAccelerator()));
        robot.interact(() -> vm().session().openTrace(npz)); // what the file dialog hands over
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().session().recordedProperty().get()
                && vm().status().isReady() && !vm().status().isBusy()));
        awaitIdle();

        String model = fx(() -> robot.lookup("#statusModel").queryAs(Label.class).getText());
        assertTrue(model.startsWith("recorded trace: tiny-gpt"), model);
        assertTrue(fx(() -> robot.lookup("#generateButton").queryAs(Button.class).isDisabled()),
                "generation needs the model");

        robot.interact(() -> app.view().select(HeadTab.SPEC.id()));
        HeadDetailView head = robot.lookup("#headDetail").queryAs(HeadDetailView.class);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> head.getData() != null
                && head.getData().pattern() != null));
        StageData data = fx(head::getData);
        AttentionMatrix shown = data.pattern();
        assertTrue(fx(() -> head.map().getMatrix() == shown), "the map draws the pattern");

        try (RecordedTrace bundle = RecordedTrace.open(npz)) {
            int pass = bundle.groups().size() - 1; // the cursor ends on the last replayed pass
            assertEquals(pass, (int) fx(() -> vm().stepping().groupProperty().get()));
            assertEquals(bundle.groups().size(), (int) fx(() -> vm().stepping().groupsProperty().get()));
            assertEquals(HookName.Block.PATTERN.at(data.layer()), shown.hook());
            // the map shows the whole sequence, stitched from every pass: each pass's rows sit at its positions
            int rows = 0;
            for (int g = 0; g <= pass; g++) {
                TensorData recorded = bundle.read(g, shown.hook()); // [B, H, T, K]
                int past = bundle.groups().get(g).past();
                int t = (int) recorded.shape()[2];
                int k = (int) recorded.shape()[3];
                for (int i = 0; i < t; i++) {
                    float[] row = Arrays.copyOfRange(recorded.values(), (data.head() * t + i) * k,
                            (data.head() * t + i + 1) * k);
                    float[] drawn = Arrays.copyOfRange(shown.values(), (past + i) * shown.cols(),
                            (past + i) * shown.cols() + k);
                    assertArrayEquals(row, drawn, 0f, "pass " + g + ", row " + (past + i) + " of the Head tab");
                }
                rows = past + t;
            }
            assertEquals(rows, shown.rows(), "every position of the recorded sequence is drawn");
        }
    }

    @Test
    void savePassAsBundleWritesTheLivePassWithTheCliWriter() throws Exception {
        robot.interact(() -> menuItem("sample-tiny-gpt").fire()); // a live model: File > Open sample > tiny-gpt
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> !vm().session().recordedProperty().get()
                && vm().session().modelInfoProperty().get() != null && vm().status().isReady() && !vm().status().isBusy()));
        awaitIdle();
        robot.interact(() -> vm().stepping().runToEnd());
        awaitIdle();
        assertFalse(fx(() -> menuItem("saveBundleItem").isDisable()));
        Path npz = dir.resolve("saved.npz");
        robot.interact(() -> vm().session().saveBundle(npz)); // what the save dialog hands over
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> !vm().status().isBusy()
                && vm().status().messageProperty().get().text().startsWith("Saved the pass")));

        try (RecordedTrace bundle = RecordedTrace.open(npz)) {
            assertEquals("attn-studio app", bundle.manifest().tool());
            assertEquals("tiny-gpt", bundle.modelName());
            assertEquals(1, bundle.groups().size());
            // the saved pattern is the one an independent run of the same ids computes
            long[][] ids = bundle.ids(0, "input_ids");
            String hook = HookName.Block.PATTERN.at(0);
            try (var model = dev.attnstudio.samples.SampleModels.open("tiny-gpt",
                    dev.attnstudio.engine.runtime.DjlRuntime.DeviceChoice.CPU);
                 var stepper = new dev.attnstudio.engine.step.Stepper(model.model(),
                         dev.attnstudio.engine.step.Stepper.Options.DEFAULT)) {
                stepper.reset(ids[0]);
                stepper.runToEnd();
                TensorData expected = stepper.group().trace().read(hook);
                TensorData saved = bundle.read(0, hook);
                assertArrayEquals(expected.shape(), saved.shape());
                assertArrayEquals(expected.values(), saved.values(), 1e-6f);
            }
        }
    }

    private MenuItem menuItem(String id) {
        MenuBar bar = robot.lookup("#menuBar").queryAs(MenuBar.class);
        return bar.getMenus().stream().flatMap(m -> items(m.getItems())).filter(i -> id.equals(i.getId())).findFirst()
                .orElse(null);
    }

    private static Stream<MenuItem> items(List<MenuItem> items) {
        return items.stream().flatMap(i -> i instanceof Menu m ? items(m.getItems()) : Stream.of(i));
    }

    private static void awaitIdle() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().isReady() && !vm().status().isBusy()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }
}
