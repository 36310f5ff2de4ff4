package dev.attnstudio.app.main;

import dev.attnstudio.app.attention.AttentionGridData;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.SamplingConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encoder-decoder's attention choice in the view model (a random T5 folder, the synchronous executor): it follows
 * the cursor between the stacks until the user picks one, then stays there through every stepping and generating
 * command; the encoder, which a decode pass does not run, is then shown as the prompt's pass computed it.
 */
class StackChoiceTest {

    private static final String PROMPT = "stay put";

    @TempDir
    static Path dir;
    private static Path folder;
    private MainViewModel vm;

    @BeforeAll
    static void writeModel() throws IOException {
        folder = RandomT5Folder.write(dir.resolve("random-t5"));
    }

    @BeforeEach
    void open() {
        vm = new MainViewModel(new DirectEngineExecutor(), ModelOpener.standard(DjlRuntime.DeviceChoice.CPU));
        vm.prompt().textProperty().set(PROMPT);
        vm.session().openFolder(folder);
        assertTrue(vm.status().isReady(), () -> "not ready: " + vm.status().messageProperty().get());
    }

    @AfterEach
    void close() {
        vm.close();
    }

    private AttentionSource shown() {
        return vm.selection().attentionSourceProperty().get();
    }

    @Test
    void thePickedAttentionStaysThroughSteppingAndGenerating() {
        ViewFeed<StageData> head = vm.feeds().add("head", StageData::from);
        vm.stepping().runToBreakpoint(); // encoder.blocks.0.attn.hook_pattern
        assertEquals(AttentionSource.ENCODER, shown(), "follows the cursor while nothing is picked");

        for (AttentionSource picked : List.of(AttentionSource.CROSS, AttentionSource.DECODER, AttentionSource.ENCODER)) {
            vm.selection().attentionSourceProperty().set(picked); // the user's pick
            List<Runnable> commands = List.of(vm.stepping()::step, vm.stepping()::stepOver, vm.stepping()::runToBreakpoint,
                    () -> vm.stepping().generate(SamplingConfig.GREEDY), vm.stepping()::step, vm.stepping()::stepBack,
                    () -> vm.stepping().generate(SamplingConfig.GREEDY, 2), vm.stepping()::stepBack,
                    () -> vm.stepping().jumpTo(0, 0), vm.stepping()::runToEnd);
            for (Runnable command : commands) {
                command.run();
                assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());
                assertEquals(picked, shown(), "after " + vm.stepping().currentStepProperty().get().name());
                assertEquals(picked, head.dataProperty().get().source(), "the views show the pick");
            }
        }
    }

    @Test
    void generatingLeavesTheAttentionWhereItWasEvenBeforeAPick() {
        vm.stepping().runToBreakpoint();
        assertEquals(AttentionSource.ENCODER, shown());
        vm.stepping().generate(SamplingConfig.GREEDY); // the cursor steps into a decode pass of decoder steps
        assertEquals(AttentionSource.ENCODER, shown());
        vm.stepping().generate(SamplingConfig.GREEDY, 2);
        assertEquals(AttentionSource.ENCODER, shown());
        vm.stepping().step(); // (stepping still follows the cursor while nothing is picked)
        assertEquals(AttentionSource.DECODER, shown());
    }

    @Test
    void theEncoderPickedInADecodePassShowsThePromptsPassEvenOffWholeSequence() {
        ViewFeed<AttentionGridData> grid = vm.feeds().add("grid", AttentionGridData::from);
        vm.selection().attentionSourceProperty().set(AttentionSource.CROSS);
        vm.selection().attentionSourceProperty().set(AttentionSource.ENCODER); // picked
        vm.selection().wholeSequenceProperty().set(false);
        vm.stepping().generate(SamplingConfig.GREEDY, 3);
        vm.stepping().jumpTo(2, 3); // inside a decode pass, which has no encoder steps
        assertEquals(AttentionSource.ENCODER, shown());
        AttentionGridData encoder = grid.dataProperty().get();
        assertNotNull(encoder);
        assertEquals(AttentionSource.ENCODER, encoder.source());
        assertEquals(PROMPT.length(), encoder.rows(), "the source's positions, from the prompt's pass");
        assertEquals(encoder.layers(), encoder.computedLayers());
        assertEquals("whole sequence \u00b7 pass 1", encoder.scope(), "the encoder ran once, in pass 1");

        vm.selection().attentionSourceProperty().set(AttentionSource.DECODER); // a decode pass's own: one row
        assertEquals(1, grid.dataProperty().get().rows());
        assertEquals("pass 3 of 4", grid.dataProperty().get().scope());
    }
}
