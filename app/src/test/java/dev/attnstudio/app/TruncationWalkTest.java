package dev.attnstudio.app;

import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.OnnxBertImport;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.samples.ModelSource;
import dev.attnstudio.samples.SampleModels;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.chart.Chart;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollBar;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.menuItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every view of the window, for a sample of each model family (GPT-2, BERT, LLaMA, T5) after a pass and, for the
 * decoders, two generated tokens, at 1280x800 and at 1920x1080: no label may be cut off. A cut-off label is a
 * {@link Labeled} whose displayed text (its skin's text node) differs from its text and holds the ellipsis; a tool
 * bar that hides buttons behind its overflow button, a list that scrolls sideways (the T5 breakpoints once did) and
 * a chart of several lines without a legend count too. Also
 * Help > Keyboard shortcuts, whose list must show every shortcut whole.
 */
class TruncationWalkTest {

    /** One sample per family, and the attention each should show (T5: the decoder's cross-attention, the widest). */
    private static final List<String> SAMPLES = List.of("tiny-gpt", "all-minilm-l6-v2", "tiny-llama", "reverse-t5");
    private static final String LONGEST_NAME = "decoder.blocks.1.cross_attn.hook_attn_scores_unmasked";
    private static final List<int[]> SIZES = List.of(new int[] {1280, 800}, new int[] {1920, 1080});

    private static AttentionStudioApp app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        FxToolkit.registerPrimaryStage();
        app = (AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(TruncationWalkTest::open,
                SettingsStore.inMemory()));
        awaitIdle(vm());
    }

    private static LoadedModel open(ModelSource source) {
        SampleModels.Sample sample = source instanceof ModelSource.Sample s ? SampleModels.find(s.name()).orElseThrow() : null;
        if (sample != null && sample.source() instanceof SampleModels.MavenOnnx onnx) {
            OnnxBertImport.Imported w = SampleModels.importOnnx(onnx);
            return LoadedModel.of(sample.name(), w.config(), w.tensors(), SampleModels.tokenizer(onnx), DjlRuntime.DeviceChoice.CPU);
        }
        return source.open(DjlRuntime.DeviceChoice.CPU);
    }

    @AfterAll
    static void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }

    @Test
    void everyViewOfEveryFamilyShowsItsLabelsWholeAtBothSizes() throws Exception {
        List<String> problems = new ArrayList<>();
        int views = 0;
        for (String name : SAMPLES) {
            openAndRun(name);
            for (int[] size : SIZES) {
                resize(size[0], size[1]);
                for (ViewSpec view : app.view().views().all()) {
                    run(() -> app.view().select(view.id()));
                    settle();
                    String where = name + " at " + size[0] + "x" + size[1] + ", " + view.title() + ": ";
                    fx(() -> {
                        cutOff(app.view().root()).forEach(p -> problems.add(where + p));
                        return null;
                    });
                    views++;
                }
            }
        }
        assertEquals(SAMPLES.size() * SIZES.size() * app.view().views().all().size(), views);
        assertTrue(problems.isEmpty(), problems.size() + " cut-off labels:\n" + String.join("\n", problems));
    }

    @Test
    void theShortcutListShowsEveryShortcutWhole() throws Exception {
        resize(1280, 800);
        run(() -> menuItem("shortcutsItem").fire());
        settle();
        Stage dialog = fx(() -> Window.getWindows().stream().filter(w -> w instanceof Stage s && "Keyboard shortcuts".equals(s.getTitle()))
                .map(Stage.class::cast).findFirst().orElseThrow(() -> new AssertionError("no Keyboard shortcuts window")));
        try {
            List<String> problems = fx(() -> cutOff(dialog.getScene().getRoot()));
            assertTrue(problems.isEmpty(), String.join("\n", problems));
            assertTrue(fx(() -> robot.from(dialog.getScene().getRoot()).lookup("#shortcutTable").tryQuery().isPresent()));
        } finally {
            run(dialog::close);
        }
    }

    /** What is cut off in a scene graph: labels, tool bars with an overflow, several-line charts without a legend. */
    static List<String> cutOff(Parent root) {
        Set<String> out = new LinkedHashSet<>();
        walk(root, node -> {
            if (node instanceof Labeled l && l.getText() != null && !l.getText().isEmpty()) {
                String shown = displayed(l);
                if (shown != null && !shown.equals(l.getText()) && !shown.replace("\n", " ").equals(l.getText().replace("\n", " "))
                        && (shown.contains(l.getEllipsisString()) || shown.contains("\u2026"))) {
                    out.add(l.getClass().getSimpleName() + (l.getId() == null ? "" : " #" + l.getId()) + " shows \"" + shown
                            + "\" of \"" + l.getText() + "\" (" + Math.round(l.getWidth()) + " px wide)");
                }
            }
            if (node instanceof ScrollBar bar && bar.getOrientation() == Orientation.HORIZONTAL && bar.isVisible()
                    && ancestor(bar, ListView.class) != null) {
                out.add("a list scrolls sideways (its rows are cut at the edge): " + ancestor(bar, ListView.class));
            }
            if (node.getStyleClass().contains("tool-bar-overflow-button")) {
                out.add("a tool bar hides its buttons behind \u00bb: " + node.getParent());
            }
            if (node instanceof Chart c && chartLines(c) > 1 && !legendShown(c)) {
                out.add("the chart \"" + c.getTitle() + "\" draws " + chartLines(c) + " lines without a legend");
            }
        });
        return new ArrayList<>(out);
    }

    private static Node ancestor(Node node, Class<?> type) {
        for (Node n = node.getParent(); n != null; n = n.getParent()) {
            if (type.isInstance(n)) {
                return n;
            }
        }
        return null;
    }

    /** Whether a chart draws its legend (JavaFX leaves it out, though asked for, when the chart is too small). */
    private static boolean legendShown(Chart c) {
        if (!c.isLegendVisible()) {
            return false;
        }
        Node legend = c.lookup(".chart-legend");
        return legend != null && legend.isVisible() && legend.getLayoutBounds().getHeight() > 0
                && legend.localToScene(legend.getLayoutBounds()).getMaxY() <= c.localToScene(c.getLayoutBounds()).getMaxY() + 1;
    }

    private static int chartLines(Chart c) {
        return c instanceof javafx.scene.chart.XYChart<?, ?> xy ? xy.getData().size() : 0;
    }

    /** The text a label's skin displays (its first text node), or null before it has a skin. */
    private static String displayed(Labeled l) {
        for (Node child : l.getChildrenUnmodifiable()) {
            if (child instanceof Text t) {
                return t.getText();
            }
        }
        return null;
    }

    /** Visits every shown node (a hidden branch, or a tab's content not selected, is not on the screen). */
    private static void walk(Node node, java.util.function.Consumer<Node> visit) {
        if (!node.isVisible() || node.getScene() == null) {
            return;
        }
        visit.accept(node);
        if (node instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                walk(child, visit);
            }
        }
    }

    /** Opens a sample, runs its pass and for a decoder generates two tokens; T5 shows the decoder's cross-attention. */
    private void openAndRun(String name) throws Exception {
        run(() -> menuItem("sample-" + name).fire());
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                && vm().session().modelInfoProperty().get().name().equals(name) && vm().status().isReady()));
        awaitIdle(vm());
        run(() -> vm().stepping().runToEnd());
        awaitIdle(vm());
        if (!SampleModels.find(name).orElseThrow().architecture().equals("bert")) {
            run(() -> vm().stepping().generate(SamplingConfig.GREEDY, 2));
            awaitIdle(vm());
        }
        if (name.equals("reverse-t5")) {
            run(() -> vm().selection().attentionSourceProperty().set(AttentionSource.CROSS));
            awaitIdle(vm());
            // the cursor on the longest hook name the window may have to show (the current step, the steps list),
            // in the prompt's pass, which computed every step
            run(() -> vm().stepping().jumpTo(0, 0));
            awaitIdle(vm());
            run(() -> {
                int index = vm().stepping().steps().stream().filter(r -> r.name().equals(LONGEST_NAME)).findFirst()
                        .orElseThrow(() -> new AssertionError("no step " + LONGEST_NAME)).index();
                vm().stepping().jumpTo(0, index);
            });
            awaitIdle(vm());
        }
        assertFalse(fx(() -> vm().status().messageProperty().get().error()), () -> name + ": " + message());
    }

    private static String message() {
        try {
            return fx(() -> vm().status().messageProperty().get().text());
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static void resize(int width, int height) throws Exception {
        run(() -> {
            Window w = app.view().root().getScene().getWindow();
            w.setX(0);
            w.setY(0);
            w.setWidth(width);
            w.setHeight(height);
        });
        settle();
        Scene scene = fx(() -> app.view().root().getScene());
        assertTrue(fx(() -> scene.getWidth() >= width - 40 && scene.getHeight() >= height - 80),
                () -> "the window did not take " + width + "x" + height);
    }

    /** Layout and canvases follow a change over a few pulses. */
    private static void settle() throws Exception {
        for (int i = 0; i < 3; i++) {
            WaitForAsyncUtils.waitForFxEvents();
            WaitForAsyncUtils.sleep(40, TimeUnit.MILLISECONDS);
        }
        awaitIdle(vm());
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
