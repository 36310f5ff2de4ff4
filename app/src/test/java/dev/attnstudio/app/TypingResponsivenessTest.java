package dev.attnstudio.app;

import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.ModelSource;
import javafx.application.Platform;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Typing into a long prompt in the real window (headless Monocle): the keys keep coming at a fast typist's pace while
 * a probe measures how long the FX thread takes to answer. Tokenizing, resetting the pass and rebuilding the token
 * strip must not happen per keystroke on the FX thread; once the typing pauses, the token strip catches up.
 */
class TypingResponsivenessTest {

    /** A byte-level model whose position table holds the whole prompt, so every keystroke gives a valid pass. */
    private static final String LONG_CONTEXT = "test-typing-long-context";
    private static final ModelConfig CONFIG = new ModelConfig(2, 2, 64, 4096, 256, 1e-5, ModelConfig.Activation.GELU_NEW);
    private static final int PASTED = 2_400;
    private static final int TYPED = 100;
    /** Between two keys: about 30 keys a second, faster than people type. */
    private static final long KEY_INTERVAL_MS = 30;

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
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> vm().prompt().tokens().size() == PASTED));
        awaitIdle(vm());

        String typed = "And the earth was without form, and void; and darkness was upon the face of the deep. ".repeat(2)
                .substring(0, TYPED);
        List<Long> latencies = new ArrayList<>();
        long typingStart = System.nanoTime();
        long giveUp = typingStart + TimeUnit.SECONDS.toNanos(20); // a blocked FX thread would make this loop last minutes
        for (int i = 0; i < typed.length() && System.nanoTime() < giveUp; i++) {
            String c = String.valueOf(typed.charAt(i));
            Platform.runLater(() -> Event.fireEvent(field, new KeyEvent(KeyEvent.KEY_TYPED, c, "", KeyCode.UNDEFINED,
                    false, false, false, false)));
            long sent = System.nanoTime();
            CountDownLatch probe = new CountDownLatch(1);
            Platform.runLater(probe::countDown);
            assertTrue(probe.await(60, TimeUnit.SECONDS), "the FX thread did not answer a probe");
            latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
            long next = typingStart + TimeUnit.MILLISECONDS.toNanos(KEY_INTERVAL_MS * (i + 1));
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        long typingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - typingStart);
        long worst = latencies.stream().mapToLong(Long::longValue).max().orElse(0);
        long median = latencies.stream().sorted().toList().get(latencies.size() / 2);
        System.out.printf("typing %d keys into a %d-character prompt took %d ms; FX probe median %d ms, worst %d ms%n",
                TYPED, PASTED, typingMillis, median, worst);

        assertTrue(median < 20, "the FX thread answered in " + median + " ms (median) while typing: " + latencies);
        assertTrue(worst < 250, "the FX thread was blocked for " + worst + " ms while typing: " + latencies);
        assertTrue(typingMillis < KEY_INTERVAL_MS * TYPED * 2, "the keys fell behind: " + typingMillis + " ms for " + TYPED);
        assertEquals(pasted + typed, fx(field::getText), "every key arrived");
        // The tokens catch up once the keys stop.
        long caughtUpStart = System.nanoTime();
        List<Long> catchingUp = new ArrayList<>();
        long deadline = caughtUpStart + TimeUnit.SECONDS.toNanos(30);
        boolean caughtUp = false;
        while (!caughtUp && System.nanoTime() < deadline) {
            long sent = System.nanoTime();
            caughtUp = fx(() -> vm().prompt().tokens().size() == PASTED + TYPED);
            catchingUp.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
            Thread.sleep(10);
        }
        System.out.printf("the token strip caught up %d ms after the last key; probes meanwhile %s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - caughtUpStart), catchingUp);
        assertEquals(PASTED + TYPED, (int) fx(() -> vm().prompt().tokens().size()), "the tokens caught up");
    }

    private static FxRobot robot() {
        return new FxRobot();
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

}
