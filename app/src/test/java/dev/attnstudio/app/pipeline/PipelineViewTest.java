package dev.attnstudio.app.pipeline;

import dev.attnstudio.app.ViewStage;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.attnstudio.app.ViewStage.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline view on a real MiniLM pass (headless Monocle): one box per step, shapes, highlight, jumps. */
class PipelineViewTest {

    private static LoadedModel model;
    private static Stepper stepper;
    private static PipelineView view;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void setUp() throws Exception {
        model = SampleModels.open("all-minilm-l6-v2", DjlRuntime.DeviceChoice.CPU);
        stepper = new Stepper(model.model(), Stepper.Options.DEFAULT);
        Tokenizer.Tokens tokens = model.tokenizer().encode("The cat sat on the mat.");
        stepper.reset(tokens.ids());
        stepper.runTo("blocks.1.attn.hook_pattern");
        view = ViewStage.show(PipelineView::new, 1100, 600);
    }

    @AfterAll
    static void tearDown() throws Exception {
        FxToolkit.cleanupStages();
        stepper.close();
        model.close();
    }

    @Test
    void aBoxPerStepWithItsShapeAndTheCurrentOneHighlighted() throws Exception {
        PipelineData d = PipelineData.from(stepper);
        robot.interact(() -> view.setData(d));
        WaitForAsyncUtils.waitForFxEvents();
        var trace = stepper.group().trace();
        int cursor = stepper.current().index();
        assertEquals(trace.program().size(), d.nodes().size());
        for (int i = 0; i < trace.program().size(); i++) {
            Region box = stepBox(i);
            List<String> texts = texts(box);
            String expected = i < trace.executed() ? Arrays.toString(trace.shapeOf(trace.program().op(i).name()))
                    : HookName.documentedShape(trace.program().op(i).name());
            assertEquals(expected, texts.get(1), trace.program().op(i).name());
            assertEquals(i < trace.executed(), fx(() -> box.getPseudoClassStates().contains(PipelineView.COMPUTED)));
            assertEquals(i == cursor, fx(() -> box.getPseudoClassStates().contains(PipelineView.CURRENT)),
                    "only the step under the cursor is highlighted: " + i);
        }
        assertEquals("softmax", texts(stepBox(cursor)).get(0));
        assertEquals("[1, 12, 9, 9]", texts(stepBox(cursor)).get(1)); // [CLS] the cat sat on the mat . [SEP]
        assertTrue(fx(() -> view.unitPane(2).getPseudoClassStates().contains(PipelineView.CURRENT)), "block 1's column");
    }

    @Test
    void clickingAComputedStepAsksForAJumpAndAPendingOneDoesNothing() throws Exception {
        PipelineData d = PipelineData.from(stepper);
        List<PipelineView.StepTarget> jumps = new ArrayList<>();
        robot.interact(() -> {
            view.setData(d);
            view.setOnJump(jumps::add);
        });
        WaitForAsyncUtils.waitForFxEvents();
        int pending = stepper.current().index() + 3;
        scrollTo(pending);
        robot.clickOn(stepBox(pending));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(jumps.isEmpty(), "a pending step cannot be jumped to: " + jumps);

        int computed = 7; // blocks.0.attn.hook_qk_raw area of block 0: computed long ago
        scrollTo(computed);
        robot.clickOn(stepBox(computed));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(new PipelineView.StepTarget(0, computed)), jumps);
        assertFalse(d.nodes().get(pending).computed());
        assertTrue(d.nodes().get(computed).computed());
    }

    private void scrollTo(int index) throws Exception {
        robot.interact(() -> view.setData(withCurrent(view.getData(), index)));
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The same data with another current step, to bring a box into view the way the cursor does. */
    private static PipelineData withCurrent(PipelineData d, int current) {
        return new PipelineData(d.group(), d.kind(), d.executed(), current, d.units());
    }

    private static List<String> texts(Region box) throws Exception {
        return fx(() -> box.getChildrenUnmodifiable().stream().map(n -> ((Label) n).getText()).toList());
    }

    private static Region stepBox(int i) throws Exception {
        return fx(() -> view.stepBox(i));
    }
}
