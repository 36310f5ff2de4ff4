package dev.attnstudio.app;

import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.main.Status;
import dev.attnstudio.app.panels.MaskTab;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.samples.SampleModels;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.menuItem;
import static dev.attnstudio.app.AppHarness.fireMenuItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bundled sample opened after every other (8 x 8 ordered pairs, in one walk through File ▸ Open sample), each
 * left with everything its prompt allows switched on (a padded batch, a sentence B, decoder ids) and a mask in the
 * Mask tab. After each open the window must show the new model only: its suggested prompt, the fields it takes and no
 * others, no padding, no stale error, a steps list, and no mask counts until its own pass computes a mask, whose counts
 * then fit its own tokens.
 */
class ModelSwitchWindowTest {

    private static final Pattern COUNT = Pattern.compile("(allowed|causal-blocked|padding-blocked) \\((\\d+)\\)");

    /** Imports each ONNX sample once, for the window and the test alike. */
    private static ImportOnce opener; // dropped after the class: the imported weights are 100+ MB

    private static AttentionStudioApp app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        opener = new ImportOnce();
        FxToolkit.registerPrimaryStage();
        app = (AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(opener,
                SettingsStore.inMemory()));
        awaitIdle(vm());
    }

    @AfterAll
    static void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
        opener = null;
    }

    @Test
    void everySampleAfterEveryOtherStartsClean() throws Exception {
        List<SampleModels.Sample> samples = SampleModels.catalog();
        List<Integer> walk = orderedPairsWalk(samples.size());
        Set<String> pairs = new HashSet<>();
        for (int i = 1; i < walk.size(); i++) {
            pairs.add(walk.get(i - 1) + ">" + walk.get(i));
        }
        assertEquals(samples.size() * samples.size(), pairs.size(), "the walk opens every sample after every other");

        run(() -> app.view().select(MaskTab.SPEC.id()));
        long start = System.nanoTime();
        String before = fx(() -> vm().session().modelInfoProperty().get().name());
        for (int index : walk) {
            SampleModels.Sample sample = samples.get(index);
            String where = before + " \u2192 " + sample.name();
            fireMenuItem("sample-" + sample.name());
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                    && vm().session().modelInfoProperty().get().name().equals(sample.name()) && vm().status().isReady()));
            awaitIdle(vm());
            checkFresh(sample, where);
            leaveEverythingOn(sample, where);
            runToBreakpointAndCheckTheMask(sample, where);
            before = sample.name();
        }
        System.out.printf("%d opens in %d ms%n", walk.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** Right after the open: the sample's prompt and fields, nothing left over from the model before. */
    private void checkFresh(SampleModels.Sample sample, String where) throws Exception {
        boolean t5 = sample.architecture().equals("t5");
        boolean bert = sample.architecture().equals("bert");
        assertEquals(sample.prompt(), fx(() -> robot.lookup("#prompt").queryAs(TextArea.class).getText()), where);
        CheckBox batch = robot.lookup("#batchMode").queryAs(CheckBox.class);
        assertEquals(!t5, fx(batch::isVisible), where + ": the Batch switch shows for the models that read batches");
        assertFalse(fx(batch::isSelected), where + ": batch mode is off");
        assertEquals(t5, fx(() -> menuItem("batchModeItem").isDisable()), where + ": Prompt > Batch of prompts");
        assertFalse(fx(() -> ((CheckMenuItem) menuItem("batchModeItem")).isSelected()), where);
        assertEquals(!bert, fx(() -> menuItem("pairItem").isDisable()), where + ": Prompt > Edit sentence B");
        TextField pair = robot.lookup("#pair").queryAs(TextField.class);
        assertEquals(bert, fx(() -> pair.getParent().isVisible()), where + ": sentence B shows for BERT only");
        assertEquals("", fx(pair::getText), where);
        TextField decoder = robot.lookup("#decoderIds").queryAs(TextField.class);
        assertEquals(t5, fx(() -> decoder.getParent().isVisible()), where + ": decoder ids show for T5 only");
        assertEquals("", fx(decoder::getText), where);

        List<List<TokenChip>> rows = fx(() -> List.copyOf(vm().prompt().tokenRows()));
        assertEquals(1, rows.size(), where + ": one prompt");
        assertTrue(rows.get(0).size() > 1, where + ": the prompt is tokenized");
        assertTrue(rows.get(0).stream().noneMatch(TokenChip::padding), where + ": no padding: " + rows.get(0));
        assertTrue(rows.get(0).stream().noneMatch(c -> c.text().equals("<unk>") || c.text().equals("[UNK]")),
                where + ": the sample reads its prompt: " + rows.get(0));
        assertEquals(t5, !fx(() -> vm().prompt().decoderTokens().isEmpty()), where + ": a decoder line for T5 only");

        Status status = fx(() -> vm().status().messageProperty().get());
        assertFalse(status.error(), where + ": " + status.text());
        assertTrue(status.text().startsWith("Loaded " + sample.name()), where + ": " + status.text());
        assertTrue(fx(() -> label("#statusModel")).startsWith(sample.name() + " "), where);
        ListView<?> steps = robot.lookup("#stepList").queryAs(ListView.class);
        assertTrue(fx(() -> steps.getItems().size()) > 10, where + ": the steps list shows the pass");
        assertEquals(-1, (int) fx(() -> vm().stepping().currentIndexProperty().get()), where + ": nothing computed yet");
        assertTrue(fx(this::maskCounts).isEmpty(), where + ": no mask counts before a mask is computed: " + fx(this::maskCounts));
    }

    /** F5 to the first attention pattern: the Mask tab counts this model's cells, for its own tokens. */
    private void runToBreakpointAndCheckTheMask(SampleModels.Sample sample, String where) throws Exception {
        run(() -> vm().stepping().runToBreakpoint());
        awaitIdle(vm());
        assertFalse(fx(() -> vm().status().messageProperty().get().error()), where + ": "
                + fx(() -> vm().status().messageProperty().get().text()));
        String at = fx(() -> label("#currentStepName").replace("\n", ""));
        assertTrue(at.endsWith("blocks.0.attn.hook_pattern"), where + ": stopped at " + at);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !fx(this::maskCounts).isEmpty());
        List<TokenChip> row = fx(() -> List.copyOf(vm().prompt().tokenRows().get(0)));
        assertTrue(row.stream().noneMatch(TokenChip::padding), where + ": the first row is the longest: " + row);
        int t = row.size();
        boolean causal = !sample.architecture().equals("bert") && !sample.architecture().equals("t5"); // T5: its encoder
        List<String> expected = List.of("allowed " + (causal ? t * (t + 1) / 2 : t * t),
                "causal-blocked " + (causal ? t * (t - 1) / 2 : 0), "padding-blocked 0");
        assertEquals(expected, fx(this::maskCounts), where + ": the mask of the first row's " + t + " tokens");
    }

    /** Switches on everything this model's prompt takes, all valid for it. */
    private void leaveEverythingOn(SampleModels.Sample sample, String where) throws Exception {
        boolean t5 = sample.architecture().equals("t5");
        boolean bert = sample.architecture().equals("bert");
        run(() -> {
            if (!t5) {
                vm().prompt().batchModeProperty().set(true);
                vm().prompt().textProperty().set(sample.prompt() + "\n" + sample.prompt().split(" ")[0]);
            }
            if (bert) {
                vm().prompt().pairProperty().set("A second sentence.");
            }
            if (t5) {
                vm().prompt().decoderIdsProperty().set("0,3");
            }
        });
        int rows = t5 ? 1 : 2;
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> vm().prompt().tokenRows().size() == rows
                && (!t5 || vm().prompt().decoderTokens().size() == 2)));
        awaitIdle(vm());
        assertFalse(fx(() -> vm().status().messageProperty().get().error()), where + ": "
                + fx(() -> vm().status().messageProperty().get().text()));
        if (!t5) {
            assertTrue(fx(() -> vm().prompt().tokenRows().get(1).stream().anyMatch(TokenChip::padding)), where
                    + ": the short row is padded");
        }
    }

    /**
     * A walk through the samples that opens each after every other, itself included: a de Bruijn sequence of order 2
     * over n symbols holds every ordered pair once (cyclically), so with its first symbol again at the end it makes
     * n * n transitions in n * n + 1 opens.
     */
    static List<Integer> orderedPairsWalk(int n) {
        List<Integer> sequence = new ArrayList<>();
        deBruijn(1, 1, n, new int[3], sequence);
        sequence.add(sequence.get(0));
        return sequence;
    }

    private static void deBruijn(int t, int p, int n, int[] a, List<Integer> out) {
        if (t > 2) {
            if (2 % p == 0) {
                for (int i = 1; i <= p; i++) {
                    out.add(a[i]);
                }
            }
            return;
        }
        a[t] = a[t - p];
        deBruijn(t + 1, p, n, a, out);
        for (int j = a[t - p] + 1; j < n; j++) {
            a[t] = j;
            deBruijn(t + 1, t, n, a, out);
        }
    }

    /** The Mask tab's legend entries that carry a count, as "allowed 21". */
    private List<String> maskCounts() {
        Node panel = robot.lookup("#maskPanel").query();
        assertNotNull(panel);
        List<String> out = new ArrayList<>();
        for (Label l : robot.from(panel).lookup(".label").queryAllAs(Label.class)) {
            Matcher m = COUNT.matcher(l.getText() == null ? "" : l.getText());
            if (m.matches()) {
                out.add(m.group(1) + " " + m.group(2));
            }
        }
        return out;
    }

    private String label(String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    /** Runs on the FX thread and waits for it. */
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
