package dev.attnstudio.app.main;

import dev.attnstudio.app.attention.AttentionGridData;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.panels.EntropyData;
import dev.attnstudio.app.panels.MaskData;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.Pooling;
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
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generate N tokens and the whole-sequence views in the view model, on the trained {@code tiny-gpt} with the synchronous
 * executor: the tokens are the greedy ones a separate stepper picks, they are marked as generated, the status bar quotes
 * the continuation as the tokenizer decodes it, a stop keeps what was generated, and the attention views show the
 * whole sequence's T x T map (or, switched off, the pass under the cursor).
 */
class GenerateTokensTest {

    private static final String SAMPLE = "tiny-gpt";
    private static final String PROMPT = "In the beginning";
    private static final String PATTERN_1 = "blocks.1.attn.hook_pattern";

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
        vm.prompt().textProperty().set(PROMPT);
        assertTrue(vm.status().isReady(), () -> "not ready: " + vm.status().messageProperty().get());
    }

    @AfterEach
    void close() {
        vm.close();
    }

    /** The prompt followed by {@code n} greedy tokens, from a stepper of our own. */
    private static long[] greedy(int n) {
        try (Stepper s = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            s.reset(reference.tokenizer().encode(PROMPT).ids());
            Sampler sampler = new Sampler(SamplingConfig.GREEDY);
            for (int i = 0; i < n; i++) {
                s.generate(sampler);
            }
            return s.tokens();
        }
    }

    private String continuation(long[] sequence, int prompt) {
        return reference.tokenizer().decode(Arrays.copyOfRange(sequence, prompt, sequence.length));
    }

    @Test
    void generatesNTokensMarksThemAndQuotesTheContinuation() {
        int prompt = vm.prompt().tokens().size();
        List<Double> progress = new ArrayList<>();
        vm.status().progressProperty().addListener((obs, old, now) -> progress.add(now.doubleValue()));
        vm.stepping().generate(SamplingConfig.GREEDY, 6);

        long[] expected = greedy(6);
        assertEquals(7, vm.stepping().groupsProperty().get(), "the prompt's pass and one per token");
        assertEquals(6, vm.stepping().groupProperty().get(), "the cursor is in the last pass");
        assertEquals(vm.stepping().steps().size(), vm.stepping().executedProperty().get(), "every pass ran to its end");
        List<TokenChip> chips = vm.prompt().tokens();
        assertArrayEquals(expected, chips.stream().mapToLong(TokenChip::id).toArray());
        for (int i = 0; i < chips.size(); i++) {
            assertEquals(i >= prompt, chips.get(i).isGenerated(), "chip " + i);
            if (i >= prompt) {
                assertEquals(i - prompt + 1, chips.get(i).sampled().pass(), "the pass reading token " + i);
                assertTrue(chips.get(i).sampled().probability() > 0 && chips.get(i).sampled().probability() <= 1);
            }
        }
        Status done = vm.status().messageProperty().get();
        assertFalse(done.error(), done.text());
        assertEquals("Generated 6 tokens: \u2018" + continuation(expected, prompt) + "\u2019", done.text());
        assertEquals(List.of(1 / 6.0, 2 / 6.0, 3 / 6.0, 4 / 6.0, 5 / 6.0, 1.0, -1.0), progress.subList(1, progress.size()),
                "0 at the start, one step per token, then indeterminate again");
        assertFalse(vm.status().isBusy());

        vm.stepping().generate(SamplingConfig.GREEDY, 2); // more tokens continue the same sequence
        assertArrayEquals(greedy(8), vm.prompt().tokens().stream().mapToLong(TokenChip::id).toArray());
    }

    @Test
    void aStopLandsAfterTheCurrentTokenAndKeepsWhatWasGenerated() {
        int prompt = vm.prompt().tokens().size();
        vm.status().messageProperty().addListener((obs, old, now) -> {
            if (now.text().startsWith("Generating: token 3 of 10")) {
                vm.stepping().cancel(); // Esc while token 3 is shown: the run stops before token 4
            }
        });
        vm.stepping().generateCountProperty().set(10);
        vm.stepping().generateTokens();

        long[] expected = greedy(3);
        assertEquals(4, vm.stepping().groupsProperty().get());
        assertArrayEquals(expected, vm.prompt().tokens().stream().mapToLong(TokenChip::id).toArray());
        assertEquals("Stopped after 3 of 10 tokens: \u2018" + continuation(expected, prompt) + "\u2019",
                vm.status().messageProperty().get().text());
        assertFalse(vm.status().isBusy());
        assertEquals(-1.0, vm.status().progressProperty().get());
    }

    @Test
    void aNewPromptBetweenTwoTokensEndsTheRun() {
        vm.status().messageProperty().addListener((obs, old, now) -> {
            if (now.text().startsWith("Generating: token 2 of 10")) {
                vm.prompt().textProperty().set("And God said"); // typed while generating: the pass starts over
            }
        });
        vm.stepping().generate(SamplingConfig.GREEDY, 10);
        assertEquals(1, vm.stepping().groupsProperty().get(), "the new prompt's pass, nothing generated from it");
        assertEquals("Generation stopped after 2 of 10 tokens (the pass started over)",
                vm.status().messageProperty().get().text());
        assertFalse(vm.status().isBusy());
        assertTrue(vm.prompt().tokens().stream().noneMatch(TokenChip::isGenerated));
    }

    @Test
    void aFullSequenceEndsTheRunWithWhatFitted() {
        int room = reference.config().nPositions() - vm.prompt().tokens().size();
        vm.stepping().generate(SamplingConfig.GREEDY, room + 3);
        assertEquals(room + 1, vm.stepping().groupsProperty().get(), "as many tokens as n_positions leaves room for");
        Status done = vm.status().messageProperty().get();
        assertTrue(done.error() && done.text().startsWith("Generation stopped after " + room + " of " + (room + 3) + " tokens"),
                done.text());
        assertTrue(done.text().contains("n_positions"), done.text());
        assertFalse(vm.status().isBusy());
    }

    @Test
    void wholeSequenceViewsShowTheStitchedMapAndOffShowsThePassUnderTheCursor() {
        ViewFeed<AttentionGridData> grid = vm.feeds().add("grid", AttentionGridData::from);
        ViewFeed<StageData> head = vm.feeds().add("head", StageData::from);
        ViewFeed<MaskData> mask = vm.feeds().add("mask", MaskData::from);
        ViewFeed<EntropyData> entropy = vm.feeds().add("entropy", EntropyData::from);
        assertTrue(vm.selection().wholeSequenceProperty().get(), "on by default");
        vm.selection().layerProperty().set(1);
        vm.stepping().generate(SamplingConfig.GREEDY, 4);
        int t = vm.prompt().tokens().size();

        TensorData full;
        try (Stepper s = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            s.reset(greedy(4));
            s.runToEnd();
            full = s.read(PATTERN_1); // one pass over the whole sequence
        }
        AttentionGridData g = grid.dataProperty().get();
        assertEquals(t, g.rows());
        assertEquals(t, g.cols());
        assertEquals("whole sequence \u00b7 passes 1\u20135", g.scope());
        assertArrayEquals(Arrays.copyOfRange(full.values(), 0, 4 * t * t), g.layer(1, Pooling.Rule.MAX), 1e-5f);
        StageData stages = head.dataProperty().get();
        assertEquals(t, stages.pattern().rows());
        assertTrue(stages.caption().endsWith("whole sequence \u00b7 passes 1\u20135"), stages.caption());
        for (int q = 0; q < t; q++) {
            for (int k = 0; k < t; k++) {
                assertEquals(full.get(0, 0, q, k), stages.pattern().get(q, k), 1e-5f, "q " + q + " k " + k);
            }
        }
        assertEquals(Float.NEGATIVE_INFINITY, stages.raw().get(t - 2, t - 1), "a decode pass never met a later key");
        assertTrue(Float.isFinite(stages.raw().get(t - 2, t - 2)));
        assertTrue(Float.isFinite(stages.raw().get(0, t - 5)), "the prompt's pass met every prompt key");
        assertEquals(Float.NEGATIVE_INFINITY, stages.raw().get(0, t - 4), "but not the generated ones");
        assertTrue(stages.raw().title().endsWith(StageData.NOT_COMPUTED), stages.raw().title());
        assertEquals(Float.NEGATIVE_INFINITY, stages.masked().get(t - 2, t - 1));
        assertFalse(stages.masked().title().endsWith(StageData.NOT_COMPUTED));
        MaskData m = mask.dataProperty().get();
        assertEquals(t, m.queries());
        assertEquals(t * (t - 1) / 2, m.counts()[MaskData.Cell.CAUSAL.ordinal()], "the whole causal triangle");
        assertNotNull(m.pattern());
        assertTrue(m.broadcastText().endsWith("whole sequence \u00b7 passes 1\u20135"), m.broadcastText());
        EntropyData e = entropy.dataProperty().get();
        assertEquals(t, e.queries());
        assertFalse(Float.isNaN(e.perQuery(1, 0, t - 1)));

        vm.selection().wholeSequenceProperty().set(false); // the pass under the cursor: one row over the cache
        g = grid.dataProperty().get();
        assertEquals(1, g.rows());
        assertEquals(t, g.cols());
        assertEquals("pass 5 of 5", g.scope());
        assertArrayEquals(Arrays.copyOfRange(full.values(), t * (t - 1), t * t), Arrays.copyOfRange(
                g.layer(1, Pooling.Rule.MAX), 0, t), 1e-5f, "head 0's row is the whole map's last row");
        assertEquals(1, head.dataProperty().get().pattern().rows());
        assertEquals(1, mask.dataProperty().get().queries());
        assertEquals(1, entropy.dataProperty().get().queries());

        vm.selection().wholeSequenceProperty().set(true);
        vm.stepping().jumpTo(2, 0); // back into the second generated token's pass: the sequence as it was then
        assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());
        assertEquals(t - 2, grid.dataProperty().get().rows(), "rows through the cursor's pass (already computed)");
        assertEquals("whole sequence \u00b7 passes 1\u20133", grid.dataProperty().get().scope());
    }
}
