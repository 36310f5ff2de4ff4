package dev.attnstudio.app.main;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.RandomGpt2;
import javafx.scene.control.Button;
import org.controlsfx.control.StatusBar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening a model folder in the real window (headless Monocle): the window stays responsive while the model loads on
 * the engine thread, the status bar shows the bytes and tensors loaded of the total and offers Cancel, and Cancel
 * stops the load before its next tensor and leaves the model before open and usable.
 */
class ModelLoadingWindowTest {

    private static final Pattern PROGRESS = Pattern.compile("Loading \\S*big-gpt: [\\d.]+ MB of ([\\d.]+) MB, (\\d+) of (\\d+) tensors");
    /** How long the load waits after each tensor, so it outlasts the test's reaction on any machine. */
    private static final long PACE_MILLIS = 60;

    private static AppHarness app;
    private final FxRobot robot = new FxRobot();

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        app = AppHarness.start();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().isReady() && !vm().status().isBusy()));
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    /** Tensors in the folder {@link #bigGpt()} writes. */
    private static int tensorCount;

    /** A GPT-2 folder of 4 layers with random weights and no tokenizer. */
    private static Path bigGpt() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("big-gpt"));
        ModelConfig c = new ModelConfig(4, 4, 64, 64, 97, 1e-5, ModelConfig.Activation.GELU_NEW);
        Map<String, SafeTensors.Tensor> tensors = RandomGpt2.tensors(c, 5, 0.05f);
        tensorCount = tensors.size();
        SafeTensors.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 4, \"n_head\": 4,"
                + " \"n_embd\": 64, \"n_positions\": 64, \"vocab_size\": 97, \"layer_norm_epsilon\": 1e-5,"
                + " \"activation_function\": \"gelu_new\"}");
        return folder;
    }

    @Test
    void progressIsShownAndCancelKeepsTheModelBefore() throws Exception {
        String before = fx(() -> vm().session().modelInfoProperty().get().name());
        Path folder = bigGpt();
        AtomicInteger loaded = new AtomicInteger();
        vm().session().observeLoading((name, bytes, total, tensors, count) -> {
            loaded.set(tensors);
            try {
                Thread.sleep(PACE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        robot.interact(() -> vm().session().openFolder(folder));

        StatusBar statusBar = robot.from(app.view().root()).lookup("#statusBar").queryAs(StatusBar.class);
        Button cancel = robot.from(app.view().root()).lookup("#cancelLoadButton").queryAs(Button.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> PROGRESS.matcher(statusBar.getText()).find()
                && Integer.parseInt(progress(statusBar).group(2)) >= 3));
        Object[] seen = fx(() -> new Object[] {statusBar.getText(), statusBar.getProgress(), cancel.isVisible(),
                vm().status().isBusy()});
        Matcher m = PROGRESS.matcher((String) seen[0]);
        assertTrue(m.find(), (String) seen[0]);
        int shown = Integer.parseInt(m.group(2));
        int total = Integer.parseInt(m.group(3));
        assertEquals(tensorCount, total, "every tensor of the folder is counted");
        assertTrue(shown < total, "the load is under way: " + seen[0]);
        double fraction = (Double) seen[1];
        assertTrue(fraction > 0 && fraction < 1, "the bar fills with the bytes loaded: " + fraction);
        assertTrue((Boolean) seen[2], "Cancel is offered while the model loads");
        assertTrue((Boolean) seen[3]);
        // the window answers while the engine thread loads: a round trip through the FX thread is quick
        long start = System.nanoTime();
        fx(() -> statusBar.getText());
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "the FX thread is free while the model loads");

        robot.clickOn(cancel);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> !vm().status().isBusy() && vm().status().isReady()));
        int atCancel = loaded.get();
        assertTrue(atCancel < total, "the load stopped before its end: " + atCancel + " of " + total);
        String message = fx(() -> vm().status().messageProperty().get().text());
        assertTrue(message.contains("Cancelled opening " + folder + ";") && message.contains(before + " is still open"), message);
        assertEquals(before, fx(() -> vm().session().modelInfoProperty().get().name()));
        assertFalse(fx(() -> cancel.isVisible()), "no Cancel once the load is over");
        assertEquals(null, fx(() -> vm().session().loadFailureProperty().get()), "a cancel is not a failure");
        Thread.sleep(3 * PACE_MILLIS);
        assertEquals(atCancel, loaded.get(), "no tensor is loaded after the cancel");

        // the model before is usable: a step runs on it
        robot.interact(() -> vm().stepping().step());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> !vm().status().isBusy()
                && vm().stepping().currentStepProperty().get() != null));
        assertNotNull(fx(() -> vm().stepping().currentStepProperty().get().name()));
        vm().session().observeLoading(null);
    }

    private static Matcher progress(StatusBar bar) {
        Matcher m = PROGRESS.matcher(bar.getText());
        m.find();
        return m;
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }
}
