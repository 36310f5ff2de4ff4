package dev.attnstudio.app.pipeline;

import dev.attnstudio.app.ViewStage;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.config.NeoX;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomNeoX;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.SampleModels;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;

import static dev.attnstudio.app.ViewStage.fx;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A parallel-residual block (GPT-NeoX, Pythia) draws as two branches from the same residual: attention on the left,
 * the MLP (whose norm reads the block's input too) on the right, joined by resid_post. Sequential blocks draw as one
 * line, as before.
 */
class PipelineBranchesTest {

    private static final long[] PROMPT = {5, 17, 3, 88, 41};

    private static ModelConfig neox(boolean parallel) {
        return new ModelConfig(ModelConfig.Architecture.GPT_NEOX, 2, 4, 32, 48, 64, 97, 0, 1e-5,
                ModelConfig.Activation.GELU, new NeoX(0.25, 10000, parallel, true, false));
    }

    private static PipelineData pass(LoadedModel model) {
        try (Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(PROMPT);
            stepper.runToEnd();
            return PipelineData.from(stepper);
        }
    }

    private static LoadedModel open(ModelConfig c) {
        return LoadedModel.of("tiny-neox", c, RandomNeoX.tensors(c, 3, 0.25f), null, DjlRuntime.DeviceChoice.CPU);
    }

    @Test
    void theParallelBlocksMlpIsABranchFromResidPre() {
        PipelineData d;
        try (LoadedModel m = open(neox(true))) {
            d = pass(m);
        }
        for (int layer = 0; layer < 2; layer++) {
            String b = "blocks." + layer + ".";
            for (String hook : List.of("ln2.hook_normalized", "mlp.hook_pre", "mlp.hook_post", "hook_mlp_out")) {
                assertEquals(b + "hook_resid_pre", node(d, b + hook).branchOf(), hook);
            }
            for (String hook : List.of("hook_resid_pre", "ln1.hook_normalized", "attn.hook_q", "attn.hook_pattern",
                    "hook_attn_out", "hook_resid_post")) {
                assertNull(node(d, b + hook).branchOf(), hook + " is on the main line");
            }
        }
        assertNull(node(d, "hook_logits").branchOf());
    }

    @Test
    void sequentialBlocksHaveNoBranches() {
        try (LoadedModel m = open(neox(false))) {
            assertTrue(pass(m).nodes().stream().allMatch(n -> n.branchOf() == null));
        }
        try (LoadedModel m = SampleModels.open("random-gpt2-tiny", DjlRuntime.DeviceChoice.CPU)) {
            assertTrue(pass(m).nodes().stream().allMatch(n -> n.branchOf() == null));
        }
        try (LoadedModel m = SampleModels.open("tiny-llama", DjlRuntime.DeviceChoice.CPU)) {
            assertTrue(pass(m).nodes().stream().allMatch(n -> n.branchOf() == null));
        }
    }

    @Test
    void theViewDrawsTheTwoBranchesSideBySide() throws Exception {
        PipelineData d;
        try (LoadedModel m = open(neox(true))) {
            d = pass(m);
        }
        PipelineView view = ViewStage.show(PipelineView::new, 1100, 700);
        new FxRobot().interact(() -> view.setData(d));
        WaitForAsyncUtils.waitForFxEvents();
        int attnOut = node(d, "blocks.0.hook_attn_out").index();
        int mlpOut = node(d, "blocks.0.hook_mlp_out").index();
        int residPre = node(d, "blocks.0.hook_resid_pre").index();
        int residPost = node(d, "blocks.0.hook_resid_post").index();
        fx(() -> {
            HBox both = branchesAbove(view.stepBox(attnOut));
            assertNotNull(both, "attn_out sits in a two-branch box");
            assertEquals(2, both.getChildren().size());
            VBox left = (VBox) both.getChildren().get(0);
            VBox right = (VBox) both.getChildren().get(1);
            assertTrue(contains(left, view.stepBox(attnOut)), "attention on the left");
            assertTrue(contains(right, view.stepBox(mlpOut)), "the MLP on the right");
            assertFalse(contains(left, view.stepBox(mlpOut)));
            assertNull(branchesAbove(view.stepBox(residPre)), "the fork step is above the branches");
            assertNull(branchesAbove(view.stepBox(residPost)), "the join is below them");
            return null;
        });
        FxToolkit.cleanupStages();
    }

    private static HBox branchesAbove(Node n) {
        for (Parent p = n.getParent(); p != null; p = p.getParent()) {
            if (p.getStyleClass().contains(PipelineView.BRANCHES_STYLE)) {
                return (HBox) p;
            }
        }
        return null;
    }

    private static boolean contains(Parent root, Node n) {
        for (Parent p = n.getParent(); p != null; p = p.getParent()) {
            if (p == root) {
                return true;
            }
        }
        return false;
    }

    private static PipelineData.Node node(PipelineData d, String hook) {
        return d.nodes().stream().filter(n -> n.hook().equals(hook)).findFirst().orElseThrow(() -> new AssertionError(hook));
    }
}
