package dev.attnstudio.app;

import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.HeadDetailView;
import dev.attnstudio.app.attention.HeadTab;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.main.Breakpoint;
import dev.attnstudio.app.main.BreakpointsViewModel;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.theme.Theme;
import dev.attnstudio.app.views.ViewSpec;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.ModelSource;
import dev.attnstudio.samples.SampleModels;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBoxBase;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.controlsfx.control.StatusBar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.fireMenuItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    private static final String MINILM = "all-minilm-l6-v2";
    /** The longest a probe of the FX thread may wait during a run. */
    private static final long WORST_PROBE_MS = 500;
    private static final String PATTERN_0 = "blocks.0.attn.hook_pattern";
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
        return ModelOpener.standard(DjlRuntime.DeviceChoice.CPU).open(source);
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
        assertFalse(fx(() -> vm().stepping().steps().isEmpty()));
    }

    @Test
    void f5StopsAtTheFirstPatternAndShiftF10StepsBack() throws Exception {
        typePrompt("Hello, attention");
        assertEquals(16, (int) fx(() -> vm().prompt().tokens().size()));

        robot.push(KeyCode.F5);
        awaitIdle(vm());
        assertEquals("blocks.0.attn.hook_pattern", fx(() -> label("#currentStepName").replace("\n", "")));
        HeadDetailView head = robot.lookup("#headDetail").queryAs(HeadDetailView.class);
        assertTrue(fx(head::isVisible), "the head shows at a pattern step");
        assertNotNull(fx(() -> head.getData().pattern()), "the pattern is computed");
        assertEquals(PATTERN_0, fx(() -> head.map().getMatrix().hook()));
        String position = fx(() -> label("#statusPosition"));
        assertTrue(position.matches("step \\d+ / \\d+"), position);

        robot.push(KeyCode.SHIFT, KeyCode.F10);
        awaitIdle(vm());
        assertEquals("blocks.0.attn.hook_attn_scores", fx(() -> label("#currentStepName").replace("\n", "")));

        robot.push(KeyCode.F10);
        awaitIdle(vm());
        assertEquals("blocks.0.attn.hook_pattern", fx(() -> label("#currentStepName").replace("\n", "")));
    }

    @Test
    void theFxThreadStaysResponsiveDuringRunToEnd() throws Exception {
        robot.interact(() -> vm().session().openSample(LONG_CONTEXT));
        awaitReady();
        try {
            String prompt = "All work and no play makes a long prompt. ".repeat(35); // 1470 tokens, one per byte
            TextArea field = robot.lookup("#prompt").queryAs(TextArea.class);
            robot.interact(() -> field.setText(prompt));
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> vm().prompt().tokens().size() == prompt.length()));
            Button runToEnd = robot.lookup("#runToEndButton").queryButton();

            robot.push(KeyCode.CONTROL, KeyCode.ENTER);
            long runStart = System.nanoTime();
            List<Long> latencies = new ArrayList<>();
            int whileBusy = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (fx(() -> vm().status().isBusy()) && System.nanoTime() < deadline) {
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
            long runMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - runStart);
            awaitIdle(vm());
            assertTrue(whileBusy > 0, "no probe ran while the engine worked: the run was over before the first probe");
            // Had the run blocked the FX thread, one probe would have waited for all of it. The bounds leave room for
            // the OS scheduler on a busy 2-core machine (single probes of 100-300 ms were seen under load 12).
            long worst = latencies.stream().mapToLong(Long::longValue).max().orElse(0);
            long median = latencies.stream().sorted().toList().get(latencies.size() / 2);
            assertTrue(runMillis > 2 * WORST_PROBE_MS, "the run took only " + runMillis + " ms: too short to tell");
            assertTrue(worst < WORST_PROBE_MS, "the FX thread was blocked for " + worst + " ms: " + latencies);
            assertTrue(median < 20, "the FX thread answered in " + median + " ms (median): " + latencies);
            assertEquals("hook_logits", fx(() -> label("#currentStepName").replace("\n", "")));
            assertFalse(fx(runToEnd::isDisabled), "buttons come back when the run is over");
        } finally {
            robot.interact(() -> vm().session().openSample(SAMPLE));
            awaitReady();
        }
    }

    /**
     * The issue's end-to-end run on a real encoder: open all-MiniLM-L6-v2 from the File menu, type a prompt, set the
     * breakpoint blocks.0.attn.hook_pattern in the list (the default one unticked), F5, pick a head, and compare every
     * cell of the Head tab's heatmap with the tensor a separate engine stepper computes; then step back and run to
     * the end.
     */
    @Test
    void miniLmEndToEnd() throws Exception {
        String prompt = "The cat sat on the mat.";
        try (LoadedModel reference = SampleModels.open(MINILM, DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            fireMenuItem("sample-" + MINILM); // File > Open sample > all-minilm-l6-v2
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                    && vm().session().modelInfoProperty().get().name().equals(MINILM) && vm().status().isReady() && !vm().status().isBusy()));
            assertTrue(fx(() -> label("#statusGeometry")).startsWith("6 layers \u00d7 12 heads"), fx(() -> label("#statusGeometry")));
            int threads = DjlRuntime.intraOpThreads();
            assertTrue(fx(() -> label("#statusDevice")).matches("CPU  \u00b7  " + threads + " threads?  \u00b7  loaded in \\d+ ms"),
                    fx(() -> label("#statusDevice")));

            long[] ids = reference.tokenizer().encode(prompt).ids();
            robot.clickOn("#prompt");
            robot.push(KeyCode.CONTROL, KeyCode.A);
            robot.push(KeyCode.BACK_SPACE);
            robot.write(prompt);
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> vm().prompt().tokens().size() == ids.length
                    && prompt.equals(robot.lookup("#prompt").queryAs(TextArea.class).getText())));
            awaitIdle(vm());
            assertEquals("[CLS]", fx(() -> vm().prompt().tokens().get(0).text()));

            TextField field = robot.lookup("#breakpointField").queryAs(TextField.class);
            robot.interact(field::requestFocus); // (a click there does not always take the focus on headless Monocle)
            robot.write(PATTERN_0);
            robot.push(KeyCode.ENTER);
            ListView<?> breakpoints = robot.lookup("#breakpointList").queryAs(ListView.class);
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> breakpoints.getItems().size() == 2));
            CheckBox tick = robot.lookup(".check-box").match(n -> ((CheckBox) n).getText().replace("\n", "").equals(BreakpointsViewModel.DEFAULT_BREAKPOINT))
                    .queryAs(CheckBox.class);
            robot.interact(tick::fire); // as a click does (the robot's clicks there can land on a tooltip's window)
            assertFalse(fx(() -> vm().breakpoints().list().get(0).isEnabled()), "the default breakpoint is unticked");
            assertTrue(fx(() -> vm().breakpoints().list().get(1).isEnabled()));

            robot.push(KeyCode.ALT, KeyCode.DIGIT2); // the Head tab
            robot.push(KeyCode.F5);
            awaitIdle(vm());
            assertEquals(PATTERN_0, fx(() -> label("#currentStepName").replace("\n", "")));
            assertTrue(fx(() -> app.view().tab(HeadTab.SPEC.id()).isSelected()));

            Spinner<?> headSpinner = robot.lookup("#headSpinner").queryAs(Spinner.class);
            robot.interact(() -> headSpinner.getEditor().requestFocus());
            robot.push(KeyCode.CONTROL, KeyCode.A).write("5").push(KeyCode.ENTER);
            awaitIdle(vm());
            HeadDetailView head = robot.lookup("#headDetail").queryAs(HeadDetailView.class);
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> head.getData() != null && head.getData().head() == 5));
            StageData data = fx(head::getData);
            AttentionMatrix shown = data.pattern();
            assertEquals(0, data.layer());
            assertTrue(fx(head::isVisible));
            assertTrue(fx(() -> head.map().getMatrix() == shown), "the map draws the pattern");

            stepper.reset(ids);
            stepper.runTo(PATTERN_0);
            TensorData pattern = stepper.read(PATTERN_0);
            assertEquals(ids.length, shown.rows());
            assertEquals(ids.length, shown.cols());
            for (int q = 0; q < shown.rows(); q++) {
                for (int k = 0; k < shown.cols(); k++) {
                    assertEquals(pattern.get(0, 5, q, k), shown.get(q, k), 0f, "q " + q + " k " + k);
                }
            }

            robot.push(KeyCode.SHIFT, KeyCode.F10);
            awaitIdle(vm());
            assertEquals("blocks.0.attn.hook_attn_scores", fx(() -> label("#currentStepName").replace("\n", "")));

            robot.push(KeyCode.CONTROL, KeyCode.ENTER);
            awaitIdle(vm());
            String last = reference.model().outputHook();
            assertEquals(last, fx(() -> label("#currentStepName").replace("\n", "")));
            assertEquals((int) fx(() -> vm().stepping().steps().size()), (int) fx(() -> vm().stepping().executedProperty().get()));

            // File > Export: the Head tab as a PNG at 2x, then the last step's tensor as .npy, into a temp folder.
            Path dir = Files.createTempDirectory("attnstudio-export");
            List<String> suggested = new ArrayList<>();
            robot.interact(() -> app.view().setFileAsker((owner, title, name, extensions) -> {
                suggested.add(name);
                return dir.resolve(name);
            }));
            // the Head tab exports its map (the figure: labels, cells and legend), not the view with its readout
            double width = fx(() -> head.map().figureSize()[0]);
            double height = fx(() -> head.map().figureSize()[1]);
            fireMenuItem("exportPng2xItem");
            Path png = awaitExport(dir, ".png");
            assertTrue(suggested.get(0).startsWith(MINILM + "_blocks.") && suggested.get(0).endsWith("_head5.png"),
                    suggested.get(0));
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(Math.round(width * 2), image.getWidth());
            assertTrue(image.getHeight() > Math.round(height * 2), "the caption goes under the view: " + image.getHeight());
            assertTrue(distinctColours(image) > 20, "the PNG is not blank: " + distinctColours(image) + " colours");

            fireMenuItem("exportTensorItem");
            Path npy = awaitExport(dir, ".npy");
            assertEquals(MINILM + "_" + last + ".npy", npy.getFileName().toString());
            stepper.runToEnd();
            TensorData expected = stepper.read(last);
            Npy.Float32 read = Npy.readFloat32(npy);
            assertArrayEquals(expected.shape(), read.shape());
            assertArrayEquals(expected.values(), read.values(), 0f);
            assertTrue(fx(() -> vm().status().messageProperty().get().text()).startsWith("Exported "));
        } finally {
            robot.interact(() -> {
                vm().breakpoints().list().setAll(new Breakpoint(BreakpointsViewModel.DEFAULT_BREAKPOINT, true));
                vm().session().openSample(SAMPLE);
            });
            awaitReady();
        }
    }

    @Test
    void themeZoomAndTabsAnswerTheirShortcutsAndAreRemembered() throws Exception {
        Scene scene = fx(stage::getScene);
        try {
            robot.push(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.D);
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(fx(() -> scene.getStylesheets().stream().anyMatch(s -> s.endsWith("dark.css"))));
            assertEquals("DARK", SETTINGS.get("theme", ""));
            robot.push(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.L);
            WaitForAsyncUtils.waitForFxEvents();
            assertFalse(fx(() -> scene.getStylesheets().stream().anyMatch(s -> s.endsWith("dark.css"))));

            Label title = robot.lookup("#currentStepName").queryAs(Label.class);
            double before = fx(() -> title.getFont().getSize());
            robot.push(KeyCode.CONTROL, KeyCode.EQUALS);
            robot.push(KeyCode.CONTROL, KeyCode.EQUALS);
            WaitForAsyncUtils.waitForFxEvents();
            double after = fx(() -> title.getFont().getSize());
            assertEquals(before * 1.2, after, 0.2, "fonts scale with the zoom");
            assertEquals("1.20", SETTINGS.get("zoom", ""));
            robot.push(KeyCode.CONTROL, KeyCode.DIGIT0);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(before, fx(() -> title.getFont().getSize()), 0.01);

            for (ViewSpec view : app.view().views().all()) {
                robot.push(app.view().views().key(view).orElseThrow().codes()); // Alt+1 ... Alt+0
                WaitForAsyncUtils.waitForFxEvents();
                assertTrue(fx(() -> app.view().tab(view.id()).isSelected()), view.title());
            }
        } finally {
            robot.interact(() -> {
                vm().preferences().themeProperty().set(Theme.LIGHT);
                vm().preferences().resetZoom();
                app.view().select(HeadTab.SPEC.id());
            });
        }
    }

    @Test
    void everyControlHasATooltip() throws Exception {
        List<String> without = fx(() -> {
            List<String> missing = new ArrayList<>();
            for (Tab tab : robot.lookup("#viewTabs").queryAs(TabPane.class).getTabs()) {
                if (tab.getTooltip() == null) {
                    missing.add("tab " + tab.getText());
                }
            }
            walk(stage.getScene().getRoot(), missing);
            return missing;
        });
        assertTrue(without.isEmpty(), "controls without a tooltip: " + without);
    }

    /** Buttons, fields, ticks, spinners and lists the user works with; the parts inside them are theirs. */
    private static void walk(Node node, List<String> missing) {
        if (node instanceof MenuBar || node instanceof StatusBar) {
            return; // menu items take no tooltips (the shortcuts dialog lists them); the status bar has its own
        }
        if (node instanceof ButtonBase || node instanceof TextInputControl || node instanceof Spinner
                || node instanceof ListView || node instanceof ProgressIndicator || node instanceof ComboBoxBase
                || node instanceof ChoiceBox) {
            if (((Control) node).getTooltip() == null && !(node.getParent() instanceof ListCell)) {
                missing.add(node.getClass().getSimpleName() + (node.getId() == null ? "" : " #" + node.getId()));
            }
            if (!(node instanceof ListView)) {
                return;
            }
        }
        if (node instanceof ListCell<?> cell && cell.getTooltip() == null && !cell.isEmpty() && cell.getGraphic() == null) {
            missing.add("cell " + cell.getText());
        }
        if (node instanceof Parent parent) {
            for (Node child : parent.getChildrenUnmodifiable()) {
                walk(child, missing);
            }
        }
        if (node instanceof TabPane tabs) {
            for (Tab tab : tabs.getTabs()) {
                if (tab.getContent() != null && tab.getContent().getParent() == null) {
                    walk(tab.getContent(), missing);
                }
            }
        }
    }

    /** The one file with this extension the export wrote into {@code dir}, once its status says it is done. */
    private static Path awaitExport(Path dir, String extension) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> {
            try (var files = Files.list(dir)) {
                return files.anyMatch(f -> f.toString().endsWith(extension))
                        && fx(() -> vm().status().messageProperty().get().text()).startsWith("Exported ");
            }
        });
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(extension)).findFirst().orElseThrow();
        }
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    private void typePrompt(String text) throws Exception {
        robot.clickOn("#prompt");
        robot.push(KeyCode.CONTROL, KeyCode.A);
        robot.push(KeyCode.BACK_SPACE);
        robot.write(text);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> vm().prompt().tokens().size() == text.length()
                && text.equals(robot.lookup("#prompt").queryAs(TextArea.class).getText())));
        awaitIdle(vm());
    }

    private static void awaitReady() throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().isReady() && !vm().status().isBusy()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

    private String label(String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

}
