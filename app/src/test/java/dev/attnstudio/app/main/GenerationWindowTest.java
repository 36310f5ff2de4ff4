package dev.attnstudio.app.main;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.attention.AttentionGridData;
import dev.attnstudio.app.attention.AttentionGridTab;
import dev.attnstudio.app.attention.AttentionGridView;
import dev.attnstudio.app.attention.HeadDetailView;
import dev.attnstudio.app.attention.HeadTab;
import dev.attnstudio.app.panels.GenerationTab;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.tokens.TokenStyles;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.SampleModels;
import javafx.beans.value.ChangeListener;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import org.controlsfx.control.StatusBar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.fireMenuItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generation in the real window (headless Monocle): Ctrl+Shift+G generates the Generation tab's count of tokens on the
 * engine thread with progress in the status bar and the busy indicator, Esc stops after the current token keeping what
 * was generated, the generated chips are marked, the continuation reads as the tokenizer decodes it, the attention grid
 * shows the whole sequence; and on T5 the attention the user picked stays picked through stepping and generating.
 */
class GenerationWindowTest {

    private static final String PROMPT = "In the beginning";
    private static final Pattern PROGRESS = Pattern.compile("Generating: token (\\d+) of (\\d+)");

    /** How long a wait on the engine gives up after (a test that failed must not leave the engine thread held). */
    private static final long PATIENCE_SECONDS = 90;

    private static AppHarness app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        app = AppHarness.start();
        awaitIdle(vm());
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    @Test
    void generateNTokensShowsProgressStopsOnEscAndReadsAsText() throws Exception {
        open("tiny-gpt");
        type(PROMPT);
        int prompt = fx(() -> vm().prompt().tokens().size());
        int count = fx(() -> vm().session().modelInfoProperty().get().positions()) - prompt; // all that fits

        robot.interact(() -> app.view().select(GenerationTab.SPEC.id()));
        Spinner<?> spinner = robot.from(app.view().root()).lookup("#generateCount").queryAs(Spinner.class);
        robot.interact(() -> ((Spinner<Integer>) spinner).getValueFactory().setValue(count));
        assertEquals("Generate " + count + " tokens", fx(() -> robot.from(app.view().root()).lookup("#generateTokensButton").queryAs(Button.class)
                .getText()), "the toolbar's button follows the Generation tab's count");

        // a gate on the engine: every pass waits at its logits until the test lets it through, so the generation
        // cannot end before the test's Esc, however fast the machine or however slow the FX thread under load
        // (ungated, tiny-gpt's tokens can all be done before the window shows the first)
        Gate gate = new Gate();
        CompletableFuture<AutoCloseable> gated = new CompletableFuture<>();
        robot.interact(() -> vm().onEngine((model, stepper) -> stepper.hooks().add("hook_logits", "test gate", (t, c) -> {
            gate.pass();
            return t; // read only
        }), gated::complete, gated::completeExceptionally));
        AutoCloseable gateHook = gated.get(PATIENCE_SECONDS, TimeUnit.SECONDS);

        // what the status bar said, in order, for the failure messages (a run that starts or stops twice shows here)
        List<String> statuses = new CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        ChangeListener<Status> trace = (o, was, now) -> statuses.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
                + " ms: " + now.text() + (vm().status().isBusy() ? " (busy)" : ""));
        robot.interact(() -> vm().status().messageProperty().addListener(trace));
        robot.push(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.G);
        // let passes through one at a time until the window shows token 2 and the engine waits inside token 3's pass:
        // the FX thread has then shown every token before the one under way (each token's task is queued by the FX
        // callback of the one before), so the window's progress is settled while Esc is pressed
        gate.awaitHeld(1);
        while (fx(GenerationWindowTest::generatingToken) < 2) {
            gate.letOneThrough();
        }
        ProgressIndicator busy = robot.from(app.view().root()).lookup("#busyIndicator").queryAs(ProgressIndicator.class);
        StatusBar statusBar = robot.from(app.view().root()).lookup("#statusBar").queryAs(StatusBar.class);
        // progress while it runs (the count in the status bar, its filling bar, the busy indicator), read and then Esc
        // pressed in one go on the FX thread
        Object[] seen = fx(() -> {
            Object[] now = {vm().status().isBusy(), vm().status().messageProperty().get().text(), statusBar.getProgress(),
                    busy.isVisible(), generatingToken()};
            javafx.scene.Scene scene = statusBar.getScene();
            javafx.scene.Node target = scene.getFocusOwner() != null ? scene.getFocusOwner() : scene.getRoot();
            // the pointer resting on the prompt: its tooltip shows, and a showing tooltip gets keys first (under load it
            // had time to appear by itself, and took the Esc to hide itself)
            javafx.scene.control.Tooltip tip = ((javafx.scene.control.Control) scene.lookup("#prompt")).getTooltip();
            tip.show(scene.getWindow());
            javafx.event.Event.fireEvent(target, new javafx.scene.input.KeyEvent(javafx.scene.input.KeyEvent.KEY_PRESSED,
                    "", "", KeyCode.ESCAPE, false, false, false, false)); // wherever the focus is, Esc stops
            statuses.add("(Esc pressed at " + target + ", the prompt's tooltip " + (tip.isShowing() ? "showing" : "hidden") + ")");
            tip.hide();
            return now;
        });
        gate.open(); // the pass under way ends; no later one may start
        assertTrue((Boolean) seen[0]);
        assertTrue(((String) seen[1]).contains(" of " + count), (String) seen[1]);
        double bar = (Double) seen[2];
        assertTrue(bar > 0 && bar < 1, "status bar progress " + bar);
        assertTrue((Boolean) seen[3], "the busy indicator turns");
        int shown = (Integer) seen[4];
        awaitIdle(vm());
        CompletableFuture<Object> ungated = new CompletableFuture<>();
        robot.interact(() -> vm().onEngine((model, stepper) -> {
            try {
                gateHook.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return "closed";
        }, ungated::complete, ungated::completeExceptionally));
        ungated.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        int generated = fx(() -> vm().stepping().groupsProperty().get()) - 1;
        robot.interact(() -> vm().status().messageProperty().removeListener(trace));
        assertEquals(shown + 1, generated, "Esc pressed while token " + (shown + 1) + " of " + count
                + " was under way: it stops after that token, keeping what was generated; the status bar said "
                + statuses.stream().filter(x -> !PROGRESS.matcher(x).find() || x.contains("token " + shown + " of")).toList());
        assertTrue(generated < count, "stopped early: " + generated + " of " + count);
        assertFalse(fx(() -> busy.isVisible()));

        long[] ids = fx(() -> vm().prompt().tokens().stream().mapToLong(TokenChip::id).toArray());
        assertEquals(prompt + generated, ids.length);
        try (LoadedModel reference = SampleModels.open("tiny-gpt", DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            s.reset(reference.tokenizer().encode(PROMPT).ids());
            Sampler greedy = new Sampler(SamplingConfig.GREEDY);
            for (int i = 0; i < generated; i++) {
                s.generate(greedy);
            }
            assertArrayEquals(s.tokens(), ids, "the greedy tokens, none lost");
            String continuation = reference.tokenizer().decode(Arrays.copyOfRange(ids, prompt, ids.length));
            assertEquals(PROMPT, fx(() -> robot.from(app.view().root()).lookup("#promptText").queryAs(Text.class).getText()));
            WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> fx(() -> continuation.equals(
                    robot.from(app.view().root()).lookup("#continuationText").queryAs(Text.class).getText())));
            assertEquals("Stopped after " + generated + " of " + count + " tokens: \u2018" + continuation + "\u2019",
                    fx(() -> vm().status().messageProperty().get().text()));
        }

        // the token strip marks exactly the generated chips
        List<Node> chips = fx(() -> List.copyOf(robot.from(app.view().root()).lookup("#tokenStrip .token-chip").queryAll()));
        assertEquals(prompt + generated, chips.size());
        for (int i = 0; i < chips.size(); i++) {
            assertEquals(i >= prompt, chips.get(i).getStyleClass().contains(TokenStyles.GENERATED_CHIP), "chip " + i);
        }

        // the attention grid shows the whole sequence: every query of prompt and continuation
        robot.interact(() -> app.view().select(AttentionGridTab.SPEC.id()));
        AttentionGridView grid = robot.from(app.view().root()).lookup("#attentionGrid").queryAs(AttentionGridView.class);
        WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> fx(() -> grid.getData() != null));
        AttentionGridData data = fx(grid::getData);
        assertEquals(prompt + generated, data.rows());
        assertEquals(prompt + generated, data.cols());
        assertTrue(data.scope().startsWith("whole sequence"), data.scope());
    }

    @Test
    void theAttentionTheUserPickedStaysThroughSteppingAndGeneratingOnT5() throws Exception {
        open("reverse-t5");
        type("stay");
        ChoiceBox<?> stack = robot.from(app.view().root()).lookup("#stackChoice").queryAs(ChoiceBox.class);
        robot.interact(() -> app.view().select(HeadTab.SPEC.id()));
        robot.push(KeyCode.F10);
        awaitIdle(vm());
        assertEquals(AttentionSource.ENCODER, fx(stack::getValue), "follows the cursor into the encoder until picked");

        robot.interact(() -> ((ChoiceBox<AttentionSource>) stack).setValue(AttentionSource.CROSS)); // the user's pick
        awaitIdle(vm());
        HeadDetailView head = robot.from(app.view().root()).lookup("#headDetail").queryAs(HeadDetailView.class);
        Runnable[] moves = {
            () -> robot.push(KeyCode.F10),                          // step (in the encoder)
            () -> robot.push(KeyCode.F11),                          // step over a block
            () -> robot.push(KeyCode.CONTROL, KeyCode.G),           // generate one token, step into its pass
            () -> robot.push(KeyCode.F10),
            () -> robot.push(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.G), // generate the count
            () -> robot.push(KeyCode.SHIFT, KeyCode.F10),           // step back
            () -> robot.push(KeyCode.F5),                           // run to a breakpoint (or the end)
        };
        robot.interact(() -> vm().stepping().generateCountProperty().set(3));
        for (Runnable move : moves) {
            move.run();
            awaitIdle(vm());
            assertFalse(fx(() -> vm().status().messageProperty().get().error()), () -> vm().status().messageProperty().get().text());
            assertEquals(AttentionSource.CROSS, fx(stack::getValue), "the stack choice stays where the user put it");
            assertEquals(AttentionSource.CROSS, fx(() -> vm().selection().attentionSourceProperty().get()));
        }
        assertEquals(5, fx(() -> vm().stepping().groupsProperty().get()), "the prompt's pass and 4 generated tokens");
        WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> fx(() -> head.getData() != null
                && head.getData().pattern() != null && head.getData().source().equals(AttentionSource.CROSS)));
        // whole sequence: every decoder position over every source position
        assertEquals(5, fx(() -> head.getData().pattern().rows()), "the start token and 4 generated");
        assertEquals(fx(() -> vm().prompt().tokens().size()), fx(() -> head.getData().pattern().cols()));
        assertTrue(fx(() -> head.getData().caption()).contains("cross-attention"));
    }

    /**
     * Holds the engine thread at each pass's logits until the test lets the pass through (or opens the gate for good).
     * The engine arrives, the test waits until it is held, then lets exactly one pass through: every step is a
     * condition, so neither a fast machine nor a starved FX thread changes where the generation is when Esc lands.
     */
    private static final class Gate {
        private final Semaphore permits = new Semaphore(0);
        private final AtomicInteger arrived = new AtomicInteger();
        private volatile boolean open;
        private int letThrough; // test thread

        /** Engine thread, in the hook: waits for a permit (gives up after the patience, so a failed test cannot hang). */
        void pass() {
            arrived.incrementAndGet();
            if (!open) {
                try {
                    permits.tryAcquire(PATIENCE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Test thread: waits until the engine has arrived at the gate {@code n} times (it is held at the n-th). */
        void awaitHeld(int n) throws TimeoutException {
            WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> arrived.get() >= n);
        }

        /** Test thread: lets the held pass through and waits until the engine is held at the next one. */
        void letOneThrough() throws TimeoutException {
            letThrough++;
            permits.release();
            awaitHeld(letThrough + 1);
        }

        /** Any thread: no pass waits any more; the one held goes on. */
        void open() {
            open = true;
            permits.release(Integer.MAX_VALUE / 2);
        }
    }

    /** The token the running generation reports, or 0. */
    private static int generatingToken() {
        Matcher m = PROGRESS.matcher(vm().status().messageProperty().get().text());
        return vm().status().isBusy() && m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private void open(String sample) throws Exception {
        fireMenuItem("sample-" + sample);
        WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                && vm().session().modelInfoProperty().get().name().equals(sample) && vm().status().isReady()
                && !vm().status().isBusy()));
    }

    private void type(String prompt) throws Exception {
        robot.clickOn("#prompt");
        robot.push(KeyCode.CONTROL, KeyCode.A);
        robot.push(KeyCode.BACK_SPACE);
        robot.write(prompt);
        WaitForAsyncUtils.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS, () -> fx(() ->
                prompt.equals(robot.from(app.view().root()).lookup("#prompt").queryAs(TextArea.class).getText())));
        awaitIdle(vm());
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

}
