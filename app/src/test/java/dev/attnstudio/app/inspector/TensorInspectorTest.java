package dev.attnstudio.app.inspector;

import dev.attnstudio.app.ViewStage;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.TensorStats;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.attnstudio.app.ViewStage.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inspector on real MiniLM tensors: its statistics are the engine's, its table holds the tensor's values. */
class TensorInspectorTest {

    private static LoadedModel model;
    private static Stepper stepper;
    private static List<List<String>> tokens;
    private static long[] ids;
    private static TensorInspector view;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void setUp() throws Exception {
        model = SampleModels.open("all-minilm-l6-v2", DjlRuntime.DeviceChoice.CPU);
        stepper = new Stepper(model.model(), Stepper.Options.DEFAULT);
        Tokenizer.Tokens t = model.tokenizer().encode("The cat sat on the mat.");
        tokens = List.of(Arrays.asList(t.strings()));
        ids = t.ids();
        view = ViewStage.show(TensorInspector::new, 1000, 700);
    }

    @AfterAll
    static void tearDown() throws Exception {
        FxToolkit.cleanupStages();
        stepper.close();
        model.close();
    }

    @Test
    void attentionPatternStatsAndTableForAChosenHead() throws Exception {
        stepper.reset(ids);
        stepper.runTo("blocks.0.attn.hook_pattern");
        InspectorData d = InspectorData.from(stepper, tokens);
        TensorData pattern = stepper.read("blocks.0.attn.hook_pattern");
        robot.interact(() -> view.setData(d));
        WaitForAsyncUtils.waitForFxEvents();

        assertEquals("blocks.0.attn.hook_pattern", text("#inspectorHook"));
        assertTrue(text("#inspectorShape").startsWith("[1, 12, 9, 9]  \u00b7  float32"), text("#inspectorShape"));
        TensorStats expected = TensorStats.of(pattern.values(), TensorStats.DEFAULT_BINS);
        assertEquals(String.valueOf(expected.count()), text("#stat-values"));
        assertEquals(TensorInspector.number(expected.min()), text("#stat-min"));
        assertEquals(TensorInspector.number(expected.max()), text("#stat-max"));
        assertEquals(TensorInspector.number(expected.mean()), text("#stat-mean"));
        assertEquals(TensorInspector.number(expected.std()), text("#stat-std"));
        assertEquals("0", text("#stat-NaN"));
        assertEquals(String.format("%.6g", 1.0 / 9), text("#stat-mean"), "each softmax row sums to 1 over 9 keys");

        // rows = query positions, columns = keys; the selectors are batch row (axis 0) and head (axis 1)
        assertEquals(List.of(0, 1), Arrays.stream(d.selectorAxes()).boxed().toList());
        robot.interact(() -> view.select(1, 5));
        WaitForAsyncUtils.waitForFxEvents();
        TableView<Integer> table = view.table();
        assertEquals(9, fx(() -> table.getItems().size()));
        assertEquals(1 + 9, fx(() -> table.getColumns().size()));
        for (int q = 0; q < 9; q++) {
            for (int k = 0; k < 9; k++) {
                int row = q;
                int key = k;
                TableColumn<Integer, ?> col = fx(() -> table.getColumns().get(1 + key));
                assertEquals(pattern.get(0, 5, q, k), (Float) fx(() -> col.getCellData(row)), "q" + q + " k" + k);
            }
        }
        assertEquals("1 \u2018the\u2019", fx(() -> table.getColumns().get(0).getCellData(1)));
        // what is on screen: a rendered cell of row 2 shows the value, formatted
        String shown = fx(() -> robot.lookup(".inspector-table .table-cell").queryAll().stream()
                .map(n -> (TableCell<?, ?>) n)
                .filter(c -> c.getTableRow() != null && c.getIndex() == 2 && c.getTableColumn() == table.getColumns().get(4))
                .map(TableCell::getText).findFirst().orElse("none"));
        assertEquals(TensorInspector.cell(pattern.get(0, 5, 2, 3)), shown);
    }

    @Test
    void wideTensorsPageTheirColumnsAndOnlyTheBatchRowIsChosen() throws Exception {
        stepper.reset(ids);
        stepper.runTo("blocks.1.hook_resid_mid");
        InspectorData d = InspectorData.from(stepper, tokens);
        TensorData resid = stepper.read("blocks.1.hook_resid_mid");
        robot.interact(() -> view.setData(d));
        WaitForAsyncUtils.waitForFxEvents();
        TableView<Integer> table = view.table();
        // [1, 9, 384]: rows are the 9 positions; 384 columns come 64 at a time
        assertEquals(List.of("B", "T", "d"), d.axes());
        assertEquals(1 + TensorInspector.COLUMN_WINDOW, fx(() -> table.getColumns().size()));
        robot.interact(() -> robot.lookup("#inspectorColumns").queryComboBox().setValue(320));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1 + 64, fx(() -> table.getColumns().size()));
        assertEquals(320, fx(() -> table.getColumns().get(1).getUserData()));
        assertEquals(resid.get(0, 4, 383), (Float) fx(() -> table.getColumns().get(64).getCellData(4)));
        assertEquals(Set.of(0), Set.copyOf(Arrays.stream(d.selectorAxes()).boxed().toList()));
        assertEquals(1, fx(() -> view.lookupAll(".spinner").size()), "a batch-row chooser only");
        assertFalse(text("#inspectorShape").isEmpty());
        assertEquals(TensorStats.DEFAULT_BINS, fx(() -> ((HistogramView) view.lookup("#inspectorHistogram")).barCount()));
    }

    private String text(String id) throws Exception {
        return fx(() -> ((Label) view.lookup(id)).getText());
    }
}
