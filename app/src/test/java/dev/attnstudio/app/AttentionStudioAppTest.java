package dev.attnstudio.app;

import dev.attnstudio.app.heatmap.HeatmapView;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelSource;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the real window (headless Monocle under surefire): the app starts, loads the sample on its engine
 * thread, and answers the keyboard like a debugger.
 */
class AttentionStudioAppTest {

    private static AttentionStudioApp app;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    private static final String SAMPLE = SampleModels.defaultSample().name();
    /**
     * A random model with a long position table, for a run that lasts well over the 200 ms the responsiveness
     * check allows (the tiny sample runs to the end in about 20 ms, which would prove nothing).
     */
    private static final String LONG_CONTEXT = "test-long-context";
    private static final ModelConfig LONG_CONTEXT_CONFIG =
            new ModelConfig(8, 8, 256, 1536, 256, 1e-5, ModelConfig.Activation.GELU_NEW);

    @BeforeAll
    static void startApp() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
        app = (AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(AttentionStudioAppTest::open, SETTINGS));
        awaitReady();
    }

    /** The window's settings: in memory, so the tests never read or write the user's preferences. */
    private static final SettingsStore SETTINGS = SettingsStore.inMemory();

    private static LoadedModel open(ModelSource source) {
        if (source.label().equals(LONG_CONTEXT)) {
            return LoadedModel.of(LONG_CONTEXT, LONG_CONTEXT_CONFIG, RandomGpt2.tensors(LONG_CONTEXT_CONFIG, 7, 0.05f),
                    Tokenizer.fromJson(ByteLevelVocab.tokenizerJson(), "byte-level tokenizer.json"), DjlRuntime.DeviceChoice.CPU);
        }
        return MainViewModel.ModelOpener.standard(DjlRuntime.DeviceChoice.CPU).open(source);
    }

    @AfterAll
    static void stopApp() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }

    @Test
    void windowShowsTheModelAndItsSteps() throws Exception {
        assertEquals(AttentionStudioApp.TITLE, fx(stage::getTitle));
        assertTrue(fx(() -> stage.getWidth()) >= 1000);
        assertTrue(fx(() -> label("#statusModel")).startsWith(SAMPLE));
        assertTrue(fx(() -> label("#statusGeometry")).contains("4 layers"));
        assertFalse(fx(() -> vm().steps().isEmpty()));
    }

    @Test
    void f5StopsAtTheFirstPatternAndShiftF10StepsBack() throws Exception {
        typePrompt("Hello, attention");
        assertEquals(16, (int) fx(() -> vm().tokens().size()));

        robot.push(KeyCode.F5);
        awaitIdle();
        assertEquals("blocks.0.attn.hook_pattern", fx(() -> label("#currentStepName")));
        HeatmapView heatmap = robot.lookup("#heatmap").queryAs(HeatmapView.class);
        assertTrue(fx(heatmap::isVisible), "the heatmap shows at a pattern step");
        assertNotNull(fx(heatmap::getHeatmap));
        assertTrue(fx(heatmap::cellSize) > 0, "cells were drawn");
        String position = fx(() -> label("#statusPosition"));
        assertTrue(position.matches("step \\d+ / \\d+"), position);

        robot.push(KeyCode.SHIFT, KeyCode.F10);
        awaitIdle();
        assertEquals("blocks.0.attn.hook_attn_scores", fx(() -> label("#currentStepName")));

        robot.push(KeyCode.F10);
        awaitIdle();
        assertEquals("blocks.0.attn.hook_pattern", fx(() -> label("#currentStepName")));
    }

    @Test
    void theFxThreadStaysResponsiveDuringRunToEnd() throws Exception {
        robot.interact(() -> vm().openSample(LONG_CONTEXT));
        awaitReady();
        try {
            String prompt = "All work and no play makes a long prompt. ".repeat(35); // 1470 tokens, one per byte
            TextArea field = robot.lookup("#prompt").queryAs(TextArea.class);
            robot.interact(() -> field.setText(prompt));
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> vm().tokens().size() == prompt.length()));
            Button runToEnd = robot.lookup("#runToEndButton").queryButton();

            robot.push(KeyCode.CONTROL, KeyCode.ENTER);
            List<Long> latencies = new ArrayList<>();
            int whileBusy = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (fx(() -> vm().isBusy()) && System.nanoTime() < deadline) {
                boolean working = fx(runToEnd::isDisabled);
                long start = System.nanoTime();
                CountDownLatch probe = new CountDownLatch(1);
                Platform.runLater(probe::countDown);
                assertTrue(probe.await(5, TimeUnit.SECONDS), "the FX thread did not answer a probe");
                latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                if (working) {
                    whileBusy++;
                }
                Thread.sleep(10);
            }
            awaitIdle();
            assertTrue(whileBusy > 0, "no probe ran while the engine worked: the run was over before the first probe");
            long worst = latencies.stream().mapToLong(Long::longValue).max().orElse(0);
            assertTrue(worst < 200, "the FX thread was blocked for " + worst + " ms: " + latencies);
            assertEquals("hook_logits", fx(() -> label("#currentStepName")));
            assertFalse(fx(runToEnd::isDisabled), "buttons come back when the run is over");
        } finally {
            robot.interact(() -> vm().openSample(SAMPLE));
            awaitReady();
        }
    }

    private void typePrompt(String text) throws Exception {
        robot.clickOn("#prompt");
        robot.push(KeyCode.CONTROL, KeyCode.A);
        robot.push(KeyCode.BACK_SPACE);
        robot.write(text);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> vm().tokens().size() == text.length()
                && text.equals(robot.lookup("#prompt").queryAs(TextArea.class).getText())));
        awaitIdle();
    }

    private static void awaitReady() throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().isReady() && !vm().isBusy()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static void awaitIdle() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> !vm().isBusy()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

    private String label(String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }
}
