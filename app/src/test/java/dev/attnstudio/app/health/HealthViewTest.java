package dev.attnstudio.app.health;

import dev.attnstudio.app.panels.PanelFixture;
import dev.attnstudio.app.diagnostics.LongWork;
import dev.attnstudio.app.diagnostics.WorkBar;
import dev.attnstudio.engine.diagnose.heads.HeadCard;
import dev.attnstudio.engine.diagnose.heads.HeadFlag;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Health view on the collapsed and the healthy induction sample: flags, evidence, and the jump to the head. */
class HealthViewTest {

    private static final Batch PROMPT = Batch.of(new long[] {3, 9, 14, 22, 3, 9, 14, 22});
    private static LoadedModel collapsed;
    private static LoadedModel healthy;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void open() throws Exception {
        collapsed = PanelFixture.open("induction-2l-collapsed");
        healthy = PanelFixture.open("induction-2l");
        stage = PanelFixture.stage();
    }

    @AfterAll
    static void close() throws Exception {
        PanelFixture.close(stage, collapsed, healthy);
    }

    @Test
    void theStopButtonStopsTheReportCardBetweenHeadsAndComputeAgainResumes() throws Exception {
        LongWork work = new LongWork();
        WorkBar bar = PanelFixture.fx(() -> new WorkBar(work, "health", () -> {
        }));
        List<String> phases = new ArrayList<>();
        assertThrows(CancellationException.class, () -> work.run("report card", w -> HealthData.compute(collapsed, PROMPT,
                (phase, done, total) -> {
                    phases.add(phase + " " + done);
                    if (phase.equals("ablating heads") && done == 1) {
                        work.stop(); // as the Stop button does
                    }
                    w.step(phase, done, total);
                })));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("ablating heads 1", phases.get(phases.size() - 1), "stopped before the next ablation: " + phases);
        assertTrue(work.isStopped());
        assertTrue(PanelFixture.fx(() -> bar.isVisible() && bar.lookup("#healthResume").isVisible()));
        assertFalse(PanelFixture.fx(() -> work.runningProperty().get()));
        PanelFixture.fx(() -> {
            work.resume(() -> {
            });
            return null;
        });
        assertFalse(work.isStopped());
        assertFalse(PanelFixture.fx(bar::isVisible));
    }

    @Test
    void theCollapsedSampleShowsCollapsedHeadsWithTheirEvidenceAndTheHealthyOneNone() throws Exception {
        HealthData bad = HealthData.compute(collapsed, PROMPT);
        HealthData good = HealthData.compute(healthy, PROMPT);
        assertEquals(2, bad.rows().size());
        assertEquals(4, bad.heads());
        int[] first = null;
        int collapsedHeads = 0;
        for (int r = 0; r < 2; r++) {
            for (int h = 0; h < 4; h++) {
                System.out.println("collapsed L" + r + " H" + h + ": " + bad.head(r, h).flags().stream().map(HeadFlag::kind).toList()
                        + "; healthy: " + good.head(r, h).flags().stream().map(HeadFlag::kind).toList());
                HeadFlag worst = HealthData.worst(bad.head(r, h));
                if (worst != null && worst.kind() == HeadFlag.Kind.COLLAPSED) {
                    collapsedHeads++;
                    first = first == null ? new int[] {r, h} : first;
                }
                assertFalse(good.head(r, h).flagged(HeadFlag.Kind.COLLAPSED), "healthy L" + r + " H" + h);
            }
        }
        assertTrue(collapsedHeads >= 4, "most heads of the collapsed sample are shown collapsed: " + collapsedHeads);
        assertTrue(bad.summary().startsWith("8 heads: " + collapsedHeads + " collapsed"), bad.summary());
        assertFalse(good.summary().contains("collapsed"), good.summary());
        int row = first[0];
        int col = first[1];

        HealthPanel panel = PanelFixture.fx(HealthPanel::new);
        AtomicReference<HeadCard> opened = new AtomicReference<>();
        PanelFixture.fx(() -> {
            panel.setOnOpen(opened::set);
            panel.data.set(bad);
            return null;
        });
        PanelFixture.show(stage, panel, 1100, 640, false);
        double[] at = PanelFixture.fx(() -> panel.grid().cellCentre(row, col));
        robot.clickOn(PanelFixture.screen(panel.grid(), at[0], at[1]));
        WaitForAsyncUtils.waitForFxEvents();
        List<String> texts = PanelFixture.fx(() -> {
            List<String> out = new ArrayList<>();
            panel.evidence().getChildren().forEach(n -> {
                if (n instanceof Label l) {
                    out.add(l.getText());
                }
            });
            return out;
        });
        String all = String.join("\n", texts);
        assertTrue(all.startsWith("L" + row + " H" + col), all);
        assertTrue(all.contains("collapsed: mean normalized entropy"), all);
        assertTrue(all.contains("entropyMean = ") && all.contains("threshold = 0.0500"), "the evidence with its threshold: " + all);
        PanelFixture.snapshotBothThemes(panel, "health-collapsed");
        robot.clickOn("#healthOpenHead");
        WaitForAsyncUtils.waitForFxEvents();
        assertNotNull(opened.get());
        assertEquals(row, opened.get().layer());
        assertEquals(col, opened.get().head());
    }
}
