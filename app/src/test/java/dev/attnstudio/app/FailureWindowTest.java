package dev.attnstudio.app;

import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.Status;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.app.views.ViewRegistry;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.intervene.Intervention;
import dev.attnstudio.engine.program.Hooks;
import javafx.beans.binding.Bindings;
import javafx.scene.Node;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The window keeps working through failures (headless Monocle, the real app on the default sample). An engine failure
 * in the middle of a pass (a hook that throws, attached as an intervention) shows an error dialog and a status line
 * with the cause, and leaves the steps computed before it: the cursor steps back, the views switch, and once the cause
 * is gone the same pass runs on to its end. A view whose feed throws shows its own error and takes nothing else down:
 * the steps panel follows the cursor in the same command, and another view's feed keeps updating.
 */
class FailureWindowTest {

    /** What the throwing hook and the throwing feed say: the cause the user must be shown. */
    private static final String HOOK_CAUSE = "the test's hook broke on purpose";
    private static final String FEED_CAUSE = "the test's feed broke on purpose";

    /** Whether the hook throws: off while the pass is set up, on for the command that must fail. */
    private static final AtomicBoolean ARMED = new AtomicBoolean();

    /** A hook on every block's attention output that throws while {@link #ARMED}. */
    private static final Intervention BREAKS = new Intervention() {
        @Override
        public String spec() {
            return "test-breaks";
        }

        @Override
        public String label() {
            return "throws when armed";
        }

        @Override
        public Hooks.Handle attach(Hooks hooks) {
            return hooks.add("blocks.*.hook_attn_out", label(), (tensor, context) -> {
                if (ARMED.get()) {
                    throw new IllegalStateException(HOOK_CAUSE);
                }
                return tensor;
            });
        }
    };

    /** A view whose feed always throws; its label shows the feed's error, as a view should. */
    private static final ViewSpec THROWING = new ViewSpec("throwing-view", "Throwing", "A view whose feed throws", host -> {
        Label label = new Label("no data");
        label.setId("throwingLabel");
        ViewFeed<String> feed = host.feed("Throwing", (stepper, context) -> {
            throw new IllegalStateException(FEED_CAUSE);
        });
        label.textProperty().bind(Bindings.createStringBinding(() -> feed.errorProperty().get() == null ? "no error"
                : "failed: " + feed.errorProperty().get(), feed.errorProperty()));
        return BuiltView.of(label);
    });

    /** A view that shows how many steps of the pass under the cursor are computed. */
    private static final ViewSpec COUNTING = new ViewSpec("counting-view", "Counting", "A view counting steps", host -> {
        Label label = new Label("no pass");
        label.setId("countingLabel");
        ViewFeed<Integer> feed = host.feed("Counting", (stepper, context) -> stepper.group().trace().executed());
        label.textProperty().bind(Bindings.createStringBinding(() -> feed.errorProperty().get() != null
                ? "failed: " + feed.errorProperty().get() : feed.dataProperty().get() == null ? "no pass"
                : feed.dataProperty().get() + " computed", feed.dataProperty(), feed.errorProperty()));
        return BuiltView.of(label);
    });

    private static AppHarness app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        ViewRegistry views = StudioViews.all().with(THROWING).with(COUNTING);
        app = AppHarness.start(views);
        awaitIdle(vm());
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    @Test
    void anEngineFailureShowsItsCauseAndKeepsThePassComputedBefore() throws Exception {
        run(() -> vm().interventions().toggle(BREAKS));
        awaitIdle(vm());
        run(() -> vm().stepping().runToBreakpoint());
        awaitIdle(vm());
        int stoppedAt = fx(() -> vm().stepping().currentIndexProperty().get());
        String stoppedName = fx(() -> vm().stepping().currentStepProperty().get().name());
        assertTrue(stoppedName.endsWith("blocks.0.attn.hook_pattern"), "stopped at " + stoppedName);
        assertFalse(fx(() -> vm().status().messageProperty().get().error()));

        ARMED.set(true);
        run(() -> vm().stepping().runToEnd());
        awaitIdle(vm());
        Status status = fx(() -> vm().status().messageProperty().get());
        assertTrue(status.error() && status.text().contains(HOOK_CAUSE), "the status bar names the cause: " + status);
        DialogPane dialog = awaitDialog();
        assertEquals("The pass failed", fx(dialog::getHeaderText));
        assertTrue(fx(dialog::getContentText).contains("Run to end failed: " + HOOK_CAUSE), fx(dialog::getContentText));
        int failedAt = fx(() -> vm().stepping().currentIndexProperty().get());
        assertTrue(failedAt >= stoppedAt, "the steps computed before the failure stay: " + failedAt + " < " + stoppedAt);
        String before = fx(() -> vm().stepping().currentStepProperty().get().name());
        assertTrue(before.startsWith("blocks.0."), "the cursor stays on the last step that worked: " + before);
        close(dialog);

        // the window stays usable: the cursor steps back over what was computed, the views switch
        run(() -> vm().stepping().stepBack());
        awaitIdle(vm());
        assertEquals(failedAt - 1, (int) fx(() -> vm().stepping().currentIndexProperty().get()));
        assertFalse(fx(() -> vm().status().messageProperty().get().error()), fx(() -> vm().status().messageProperty().get().text()));
        run(() -> app.view().select(COUNTING.id()));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> label("#countingLabel").endsWith(" computed")));
        assertEquals(failedAt + 1 + " computed", fx(() -> label("#countingLabel")), "the views read the pass as it was");

        // the cause gone, the same pass runs on from where it stopped
        ARMED.set(false);
        run(() -> vm().stepping().runToEnd());
        awaitIdle(vm());
        assertFalse(fx(() -> vm().status().messageProperty().get().error()), fx(() -> vm().status().messageProperty().get().text()));
        int steps = fx(() -> vm().stepping().steps().size());
        assertEquals(steps - 1, (int) fx(() -> vm().stepping().currentIndexProperty().get()), "ran to the end");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> label("#countingLabel").equals(steps + " computed")));
        run(() -> vm().interventions().toggle(BREAKS));
        awaitIdle(vm());
    }

    @Test
    void aViewWhoseFeedThrowsShowsItsErrorAndTakesNothingElseDown() throws Exception {
        if (fx(() -> vm().stepping().currentIndexProperty().get()) >= 0) {
            run(() -> vm().stepping().stepBack()); // so the step below moves the cursor wherever the pass stands
            awaitIdle(vm());
        }
        run(() -> app.view().select(THROWING.id()));
        awaitIdle(vm());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> label("#throwingLabel").startsWith("failed:")));
        assertEquals("failed: Throwing: " + FEED_CAUSE, fx(() -> label("#throwingLabel")), "the view shows its own error");
        Status status = fx(() -> vm().status().messageProperty().get());
        assertTrue(status.error() && status.text().contains(FEED_CAUSE), "the status bar names the view: " + status);

        int before = fx(() -> vm().stepping().currentIndexProperty().get());
        run(() -> vm().stepping().step());
        awaitIdle(vm());
        assertEquals("failed: Throwing: " + FEED_CAUSE, fx(() -> label("#throwingLabel")), "the view still shows its error");
        status = fx(() -> vm().status().messageProperty().get());
        assertTrue(!status.error() && status.text().startsWith("Stepped to "), "the command's own outcome: " + status);
        // the same command moved the cursor and the steps panel with it
        int after = fx(() -> vm().stepping().currentIndexProperty().get());
        assertEquals(before + 1, after, "the step ran although a view failed");
        String name = fx(() -> vm().stepping().steps().get(after).name());
        String shown = fx(() -> label("#currentStepName").replace("\n", ""));
        assertTrue(shown.endsWith(name), "the step panel follows the cursor: " + shown + " for " + name);

        // another view, shown next, updates with every step
        run(() -> app.view().select(COUNTING.id()));
        awaitIdle(vm());
        run(() -> vm().stepping().step());
        awaitIdle(vm());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> label("#countingLabel").endsWith(" computed")));
        int executed = fx(() -> vm().stepping().executedProperty().get());
        assertEquals(executed + " computed", fx(() -> label("#countingLabel")));
        assertFalse(fx(() -> vm().status().messageProperty().get().error()), fx(() -> vm().status().messageProperty().get().text()));
    }

    /** The error dialog the window shows, once it shows. */
    private DialogPane awaitDialog() throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> findDialog().isPresent()));
        return fx(() -> findDialog().orElseThrow());
    }

    private Optional<DialogPane> findDialog() {
        for (Window w : Window.getWindows()) {
            if (w.isShowing() && w.getScene() != null) {
                Node found = w.getScene().getRoot().lookup("#passFailedDialog");
                if (found instanceof DialogPane pane) {
                    return Optional.of(pane);
                }
            }
        }
        return Optional.empty();
    }

    private static void close(DialogPane dialog) throws Exception {
        run(() -> ((javafx.scene.control.Button) dialog.lookupButton(ButtonType.OK)).fire());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private String label(String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static void run(Runnable action) throws Exception {
        fx(() -> {
            action.run();
            return null;
        });
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }
}
