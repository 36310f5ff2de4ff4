package dev.attnstudio.app;

import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.main.Breakpoint;
import dev.attnstudio.app.main.BreakpointsViewModel;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.app.main.StepRow;
import dev.attnstudio.app.panels.MaskData;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main view model over the real sample model, with the synchronous executor: every command has finished
 * when it returns. No JavaFX toolkit is started. Reference values come from a second, independently opened
 * copy of the sample driven by its own {@link Stepper}.
 */
class MainViewModelTest {

    /** The random sample: its 256 positions and byte tokens are what these tests count on. */
    private static final String SAMPLE = SampleModels.RANDOM_GPT2_TINY.name();
    private static final String PROMPT = "Attention is all you need";
    private static final String PATTERN_0 = "blocks.0.attn.hook_pattern";

    private static LoadedModel reference;

    private MainViewModel vm;

    @BeforeAll
    static void openReference() {
        reference = SampleModels.open(SAMPLE, DjlRuntime.DeviceChoice.CPU);
    }

    @AfterAll
    static void closeReference() {
        reference.close();
    }

    @BeforeEach
    void open() {
        vm = new MainViewModel(new DirectEngineExecutor(), ModelOpener.samples());
        vm.session().openSample(SAMPLE);
        assertTrue(vm.status().isReady(), () -> "not ready: " + vm.status().messageProperty().get());
        assertFalse(vm.status().isBusy());
    }

    @AfterEach
    void close() {
        vm.close();
    }

    @Test
    void loadsTheSampleAndTokenizesItsSuggestedPrompt() {
        assertEquals(SAMPLE, vm.session().modelInfoProperty().get().name());
        assertEquals(4, vm.session().modelInfoProperty().get().layers());
        assertEquals(SampleModels.RANDOM_GPT2_TINY.prompt(), vm.prompt().textProperty().get());
        long[] ids = reference.tokenizer().encode(SampleModels.RANDOM_GPT2_TINY.prompt()).ids();
        assertEquals(ids.length, vm.prompt().tokens().size());
        assertEquals(reference.model().program(new dev.attnstudio.engine.program.Pass(1, ids.length, 0,
                null, null)).names(), vm.stepping().steps().stream().map(StepRow::name).toList());
        assertTrue(vm.stepping().steps().stream().noneMatch(StepRow::computed), "nothing runs before the first step");
        assertEquals(-1, vm.stepping().currentIndexProperty().get());
        assertEquals("step 0 / " + vm.stepping().steps().size(), vm.stepping().positionText().get());
        assertNull(vm.stepping().currentStepProperty().get());
    }

    @Test
    void tokensFollowThePromptWithVisibleSpaces() {
        vm.prompt().textProperty().set("hi there");
        List<TokenChip> tokens = vm.prompt().tokens();
        assertEquals(8, tokens.size());
        assertEquals('h', tokens.get(0).id());
        assertEquals("\u2423", tokens.get(2).text());
        assertEquals(32, tokens.get(2).id());
        assertFalse(tokens.get(0).special());
    }

    @Test
    void theHeadViewAtTheBreakpointEqualsTheStepperValuesForEachHead() {
        ViewFeed<StageData> head = headFeed();
        vm.prompt().textProperty().set(PROMPT);
        vm.stepping().runToBreakpoint();

        assertEquals(PATTERN_0, vm.stepping().currentStepProperty().get().name());
        assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());
        StageData head0 = head.dataProperty().get();
        assertNotNull(head0);
        assertEquals(0, head0.head());
        assertEquals(4, head0.heads());

        try (Stepper stepper = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            long[] ids = reference.tokenizer().encode(PROMPT).ids();
            stepper.reset(ids);
            assertEquals(PATTERN_0, stepper.runTo(BreakpointsViewModel.DEFAULT_BREAKPOINT).name());
            TensorData pattern = stepper.read(PATTERN_0);
            TensorData scaled = stepper.read("blocks.0.attn.hook_attn_scores_unmasked");
            assertEquals(ids.length, head0.pattern().rows());
            assertEquals(ids.length, head0.pattern().cols());
            assertSameHead(pattern, 0, head0.pattern());
            assertSameHead(scaled, 0, head0.scaled());

            vm.selection().headProperty().set(2);
            StageData head2 = head.dataProperty().get();
            assertEquals(2, head2.head());
            assertSameHead(pattern, 2, head2.pattern());
            assertSameHead(scaled, 2, head2.scaled());
        }
        int index = vm.stepping().currentIndexProperty().get();
        assertEquals("step " + (index + 1) + " / " + vm.stepping().steps().size(), vm.stepping().positionText().get());
        assertEquals(StepRow.State.CURRENT, vm.stepping().steps().get(index).state());
    }

    @Test
    void stepBackMovesTheCursorWithoutRecomputing() {
        ViewFeed<StageData> head = headFeed();
        vm.prompt().textProperty().set(PROMPT);
        vm.stepping().runToBreakpoint();
        int at = vm.stepping().currentIndexProperty().get();
        int computed = vm.stepping().executedProperty().get();
        assertEquals(at + 1, computed);

        vm.stepping().stepBack();
        assertEquals(at - 1, vm.stepping().currentIndexProperty().get());
        assertEquals(computed, vm.stepping().executedProperty().get(), "stepping back must not compute anything");
        assertEquals("blocks.0.attn.hook_attn_scores", vm.stepping().currentStepProperty().get().name());
        assertEquals(StepRow.State.COMPUTED, vm.stepping().steps().get(at).state(), "the step we left stays computed");
        AttentionMatrix scores = head.dataProperty().get().masked();
        assertNotNull(scores, "the masked scores stay shown");
        assertEquals("blocks.0.attn.hook_attn_scores", scores.hook());
        assertTrue(scores.range().masked() > 0, "causal scores hold -inf cells");

        vm.stepping().step();
        assertEquals(at, vm.stepping().currentIndexProperty().get());
        assertEquals(computed, vm.stepping().executedProperty().get(), "stepping onto a computed step reuses it");

        vm.stepping().step();
        assertEquals(computed + 1, vm.stepping().executedProperty().get());
    }

    @Test
    void theMaskViewMarksTheCausalTriangle() {
        ViewFeed<MaskData> feed = vm.feeds().add("Mask", (s, c) -> MaskData.from(s, c.loaded(), c.source(), c.layer(), c.batchRow()));
        vm.prompt().textProperty().set("abcd");
        vm.breakpoints().list().get(0).enabledProperty().set(false);
        vm.breakpoints().add("blocks.1.attn.hook_mask");
        vm.stepping().runToBreakpoint();
        MaskData mask = feed.dataProperty().get();
        assertEquals("blocks.1.attn.hook_mask", mask.maskHook());
        assertEquals(1, mask.maskShape()[1], "one mask for all heads");
        assertEquals(4 * 3 / 2, mask.counts()[MaskData.Cell.CAUSAL.ordinal()]);
        assertEquals(MaskData.Cell.CAUSAL, mask.cell(0, 1));
        assertEquals(MaskData.Cell.ALLOWED, mask.cell(1, 0));
    }

    @Test
    void stepOverAndRunToEnd() {
        vm.stepping().stepOver();
        assertEquals("embed", vm.stepping().currentStepProperty().get().unit());
        vm.stepping().stepOver();
        assertEquals("blocks.0", vm.stepping().currentStepProperty().get().unit());
        assertEquals("blocks.0.hook_resid_post", vm.stepping().currentStepProperty().get().name());

        vm.stepping().runToEnd();
        assertEquals(vm.stepping().steps().size(), vm.stepping().executedProperty().get());
        assertEquals("hook_logits", vm.stepping().currentStepProperty().get().name());
        assertTrue(vm.stepping().steps().stream().allMatch(StepRow::computed));

        vm.stepping().step();
        assertFalse(vm.status().messageProperty().get().error());
        assertTrue(vm.status().messageProperty().get().text().startsWith("End of the pass"));
    }

    @Test
    void theFirstNonFiniteStepIsMarkedInTheStepListAndOnlyIt() {
        vm.stepping().runToEnd();
        assertTrue(vm.stepping().steps().stream().allMatch(r -> r.nonFinite() == null), "a healthy pass marks nothing");
        vm.interventions().toggle(dev.attnstudio.engine.intervene.MaskBug.FLIPPED); // a query with no key: a NaN row
        vm.stepping().runToEnd();
        List<StepRow> marked = vm.stepping().steps().stream().filter(r -> r.nonFinite() != null).toList();
        assertEquals(1, marked.size(), marked.toString());
        assertEquals("NaN", marked.get(0).nonFinite());
        assertTrue(marked.get(0).name().startsWith("blocks.0.attn."), marked.get(0).name());
    }

    @Test
    void anEmptyPromptIsReportedNotThrown() {
        vm.prompt().textProperty().set("");
        assertTrue(vm.status().messageProperty().get().error());
        assertTrue(vm.stepping().steps().isEmpty());
        assertTrue(vm.prompt().tokens().isEmpty());

        vm.stepping().step();
        assertTrue(vm.status().messageProperty().get().error());
        assertTrue(vm.status().messageProperty().get().text().contains("empty"), vm.status().messageProperty().get().text());
        assertFalse(vm.status().isBusy());

        vm.prompt().textProperty().set("ok");
        assertFalse(vm.status().messageProperty().get().error());
        vm.stepping().step();
        assertEquals("hook_embed", vm.stepping().currentStepProperty().get().name());
    }

    @Test
    void aPromptLongerThanThePositionTableIsReported() {
        vm.prompt().textProperty().set("x".repeat(300));
        assertTrue(vm.status().messageProperty().get().error());
        assertTrue(vm.status().messageProperty().get().text().contains("256"), vm.status().messageProperty().get().text());
        assertEquals(300, vm.prompt().tokens().size());
        assertTrue(vm.stepping().steps().isEmpty());
    }

    @Test
    void aFailedLoadIsReportedAndLeavesTheModelClosed() {
        MainViewModel broken = new MainViewModel(new DirectEngineExecutor(), source -> {
            throw new IllegalStateException("no such weights");
        });
        broken.session().openSample("nowhere");
        assertFalse(broken.status().isReady());
        assertFalse(broken.status().isBusy());
        assertTrue(broken.status().messageProperty().get().error());
        assertTrue(broken.session().loadFailureProperty().get().contains("no such weights"));
        assertTrue(broken.stepping().stepDisabled().get());
        broken.stepping().step(); // ignored, not thrown
        broken.close();
    }

    @Test
    void runToBreakpointStopsAtTheFirstStepAnyEnabledPatternMatches() {
        vm.prompt().textProperty().set(PROMPT);
        vm.breakpoints().list().clear();
        vm.breakpoints().add("blocks.2.attn.hook_z");
        vm.breakpoints().add("blocks.1.mlp.*");
        Breakpoint off = vm.breakpoints().add("blocks.0.**");
        off.enabledProperty().set(false);

        vm.stepping().runToBreakpoint();
        assertEquals("blocks.1.mlp.hook_pre", vm.stepping().currentStepProperty().get().name());
        assertTrue(vm.status().messageProperty().get().text().contains("blocks.1.mlp.*"), vm.status().messageProperty().get().text());
        vm.stepping().runToBreakpoint();
        assertEquals("blocks.1.mlp.hook_post", vm.stepping().currentStepProperty().get().name());
        vm.stepping().runToBreakpoint();
        assertEquals("blocks.2.attn.hook_z", vm.stepping().currentStepProperty().get().name());
        assertEquals(2, vm.selection().layerProperty().get(), "the shared layer follows the cursor");
        vm.stepping().runToBreakpoint();
        assertEquals("hook_logits", vm.stepping().currentStepProperty().get().name());
        assertTrue(vm.status().messageProperty().get().text().startsWith("No enabled breakpoint matches"), vm.status().messageProperty().get().text());

        vm.breakpoints().list().forEach(b -> b.enabledProperty().set(false));
        vm.stepping().runToBreakpoint();
        assertTrue(vm.status().messageProperty().get().error());
        assertNull(vm.breakpoints().add("  "));
        assertEquals(3, vm.breakpoints().list().size());
    }

    @Test
    void aDecoderReadsABatchPaddedOnTheRight() {
        vm.prompt().batchModeProperty().set(true);
        vm.prompt().textProperty().set("a short one\na longer second prompt");
        assertEquals(2, vm.prompt().tokenRows().size());
        assertTrue(vm.prompt().tokenRows().get(0).get(vm.prompt().tokenRows().get(0).size() - 1).padding(), "the short row is padded");
        assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());
        vm.stepping().runToBreakpoint();
        assertEquals(PATTERN_0, vm.stepping().currentStepProperty().get().name(), "padding after the prompt: causal rows never see it");

        vm.prompt().textProperty().set("same\nsize"); // rows of equal length need no padding: a decoder takes them
        assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());
        vm.stepping().runToBreakpoint();
        assertEquals(PATTERN_0, vm.stepping().currentStepProperty().get().name());
    }

    @Test
    void feedsRunOnTheEngineWithTheSharedSelectionOnlyWhileActive() {
        List<ViewContext> calls = new ArrayList<>();
        ViewFeed<long[]> shape = vm.feeds().add("test", (stepper, context) -> {
            calls.add(context);
            return stepper.current() == null ? null : stepper.current().shape();
        });
        assertEquals(1, calls.size(), "a new feed is filled at once");
        assertNull(shape.dataProperty().get(), "nothing at the cursor before the first step");

        vm.prompt().textProperty().set(PROMPT);
        vm.stepping().runToBreakpoint();
        int n = PROMPT.length(); // one byte-level token per character
        assertArrayEquals(new long[] {1, 4, n, n}, shape.dataProperty().get());
        ViewContext last = calls.get(calls.size() - 1);
        assertEquals(0, last.layer());
        assertEquals(n, last.labels().size());

        vm.selection().headProperty().set(3);
        assertEquals(3, calls.get(calls.size() - 1).head(), "a new selection refreshes the views");

        shape.activeProperty().set(false);
        int before = calls.size();
        vm.stepping().step();
        vm.selection().headProperty().set(1);
        assertEquals(before, calls.size(), "an inactive feed is not built");
        shape.activeProperty().set(true);
        assertEquals(before + 1, calls.size(), "activating it brings it up to date");
        assertEquals("blocks.0.attn.hook_z", vm.stepping().currentStepProperty().get().name());

        ViewFeed<Object> broken = vm.feeds().add("broken", (stepper, context) -> {
            throw new IllegalStateException("no data");
        });
        assertNull(broken.dataProperty().get());
        assertEquals("broken: no data", broken.errorProperty().get());
        assertFalse(vm.status().messageProperty().get().error(), "one broken view does not fail the command");
    }

    @Test
    void generateAppendsTheGreedyTokenAsANewPassAndStepsIntoIt() {
        vm.prompt().textProperty().set(PROMPT);
        vm.stepping().runToBreakpoint();
        vm.stepping().generate(SamplingConfig.GREEDY);
        assertEquals(2, vm.stepping().groupsProperty().get());
        assertEquals(1, vm.stepping().groupProperty().get(), "the cursor is in the new pass");
        assertEquals(0, vm.stepping().currentIndexProperty().get());
        assertEquals("hook_embed", vm.stepping().currentStepProperty().get().name());
        assertTrue(vm.stepping().positionText().get().startsWith("pass 2 / 2"), vm.stepping().positionText().get());

        long[] expected;
        try (Stepper s = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            s.reset(reference.tokenizer().encode(PROMPT).ids());
            s.generate(new Sampler(SamplingConfig.GREEDY));
            s.runToEnd();
            s.generate(new Sampler(SamplingConfig.GREEDY));
            expected = s.tokens();
        }
        assertEquals(PROMPT.length() + 1, vm.prompt().tokens().size(), "the generated token joins the strip");
        assertEquals(expected[PROMPT.length()], vm.prompt().tokens().get(PROMPT.length()).id());

        vm.stepping().runToEnd();
        assertEquals(vm.stepping().steps().size(), vm.stepping().executedProperty().get(), "run to end completes the new pass");
        vm.stepping().generate(SamplingConfig.GREEDY);
        assertEquals(3, vm.stepping().groupsProperty().get());
        assertEquals(expected[PROMPT.length() + 1], vm.prompt().tokens().get(PROMPT.length() + 1).id());
        assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());
    }

    @Test
    void jumpToMovesOntoComputedStepsOnly() {
        vm.prompt().textProperty().set(PROMPT);
        vm.stepping().runToBreakpoint();
        int at = vm.stepping().currentIndexProperty().get();
        vm.stepping().jumpTo(0, 1);
        assertEquals(1, vm.stepping().currentIndexProperty().get());
        assertEquals(at + 1, vm.stepping().executedProperty().get(), "jumping computes nothing");
        vm.stepping().jumpTo(0, at + 5);
        assertTrue(vm.status().messageProperty().get().error(), "a step not computed yet is refused");
        assertTrue(vm.status().messageProperty().get().text().contains("not computed"), vm.status().messageProperty().get().text());
        assertEquals(1, vm.stepping().currentIndexProperty().get(), "the cursor stays");
    }

    @Test
    void theSelectedLayerStaysWhenTheUserPicksAnotherInsideABlock() {
        vm.prompt().textProperty().set(PROMPT);
        vm.stepping().runToBreakpoint();
        assertEquals(0, vm.selection().layerProperty().get());
        vm.selection().layerProperty().set(2);
        assertEquals(2, vm.selection().layerProperty().get(), "a refresh does not pull the selection back to the cursor's block");
        vm.stepping().step();
        assertEquals(0, vm.selection().layerProperty().get(), "a step follows the cursor again");
    }

    /** The Head tab's feed, built as the window builds it. */
    private ViewFeed<StageData> headFeed() {
        return vm.feeds().add("Head", (s, c) -> StageData.from(s, c.source(), c.layer(), c.head(), c.batchRow(),
                c.queryLabels(), c.keyLabels()));
    }

    private static void assertSameHead(TensorData expected, int head, AttentionMatrix map) {
        assertEquals(expected.name(), map.hook());
        for (int q = 0; q < map.rows(); q++) {
            for (int k = 0; k < map.cols(); k++) {
                assertEquals(expected.get(0, head, q, k), map.get(q, k), 0f, "head " + head + " q " + q + " k " + k);
            }
        }
    }
}
