package dev.attnstudio.app.main;

import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prompt of an encoder (the real all-MiniLM-L6-v2): sentence pairs get token types, a batch is padded with the
 * tokenizer's [PAD] and drives the stepper as one padded pass, and the Head view's map of a chosen row equals the
 * engine's tensor for that row (read through a separate stepper on the same batch).
 */
class EncoderPromptTest {

    private static final String MINILM = "all-minilm-l6-v2";
    private static LoadedModel reference;
    private static MainViewModel vm;

    @BeforeAll
    static void open() {
        reference = SampleModels.open(MINILM, DjlRuntime.DeviceChoice.CPU);
        vm = new MainViewModel(new DirectEngineExecutor(), ModelOpener.standard(DjlRuntime.DeviceChoice.CPU));
        vm.session().openSample(MINILM);
        assertTrue(vm.status().isReady(), () -> vm.status().messageProperty().get().text());
    }

    @AfterAll
    static void close() {
        vm.close();
        reference.close();
    }

    @Test
    void theModelIsAnEncoderAndItsLoadTimeCoversTheWholeOpen() {
        ModelInfo info = vm.session().modelInfoProperty().get();
        assertTrue(info.encoder());
        assertEquals("bert", info.architecture());
        assertEquals(6, info.layers());
        assertEquals(12, info.heads());
        assertEquals(384, info.dModel());
        // Parsing the 90 MB ONNX graph is part of the open: far more than the upload the engine alone times.
        assertTrue(info.loadMillis() > reference.loadMillis(), info.loadMillis() + " ms vs upload " + reference.loadMillis());
    }

    @Test
    void aSentencePairGetsTokenTypesOne() {
        vm.prompt().batchModeProperty().set(false);
        vm.prompt().pairProperty().set("a dog barked");
        vm.prompt().textProperty().set("the cat sat");
        try {
            Tokenizer.Tokens expected = reference.tokenizer().encodePair("the cat sat", "a dog barked");
            List<TokenChip> row = vm.prompt().tokens();
            assertEquals(expected.size(), row.size());
            for (int i = 0; i < row.size(); i++) {
                assertEquals(expected.ids()[i], row.get(i).id());
                assertEquals(expected.typeIds()[i], row.get(i).typeId());
                assertEquals(expected.special()[i], row.get(i).special());
                assertFalse(row.get(i).padding());
            }
            assertEquals("[CLS]", row.get(0).text());
            assertEquals(1, row.get(row.size() - 2).typeId(), "sentence B is segment 1");
            assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());
        } finally {
            vm.prompt().pairProperty().set("");
        }
    }

    @Test
    void aBatchIsPaddedWithPadAndEachRowsHeadViewEqualsTheEngine() {
        ViewFeed<StageData> head = vm.feeds().add("Head", (s, c) -> StageData.from(s, c.source(), c.layer(), c.head(),
                c.batchRow(), c.queryLabels(), c.keyLabels()));
        vm.prompt().batchModeProperty().set(true);
        vm.prompt().textProperty().set("short one\n\nthis second prompt is quite a lot longer\n");
        try {
            assertEquals(2, vm.prompt().tokenRows().size(), "blank lines are not prompts");
            List<TokenChip> shortRow = vm.prompt().tokenRows().get(0);
            List<TokenChip> longRow = vm.prompt().tokenRows().get(1);
            assertEquals(shortRow.size(), longRow.size());
            long pad = reference.tokenizer().encode("[PAD]").ids()[1];
            TokenChip last = shortRow.get(shortRow.size() - 1);
            assertTrue(last.padding());
            assertEquals(pad, last.id());
            assertEquals("[PAD]", last.text());
            assertTrue(longRow.stream().noneMatch(TokenChip::padding));
            assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());

            vm.selection().batchRowProperty().set(0);
            vm.selection().headProperty().set(7);
            vm.stepping().runToBreakpoint();
            assertEquals("blocks.0.attn.hook_pattern", vm.stepping().currentStepProperty().get().name());
            StageData row0 = head.dataProperty().get();
            vm.selection().batchRowProperty().set(1);
            StageData row1 = head.dataProperty().get();
            assertEquals(0, row0.batchRow());
            assertEquals(1, row1.batchRow());
            assertEquals("this", row1.pattern().rowLabels().get(1), "row 1's labels are its own tokens");

            try (Stepper stepper = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
                Tokenizer.Tokens a = reference.tokenizer().encode("short one");
                Tokenizer.Tokens b = reference.tokenizer().encode("this second prompt is quite a lot longer");
                stepper.reset(Batch.pad(List.of(a.ids(), b.ids()), List.of(a.typeIds(), b.typeIds()), Batch.Padding.RIGHT, pad));
                stepper.runTo("blocks.0.attn.hook_pattern");
                TensorData pattern = stepper.read("blocks.0.attn.hook_pattern");
                assertSameHead(pattern, 0, 7, row0);
                assertSameHead(pattern, 1, 7, row1);
                assertEquals(0f, row0.pattern().get(0, a.size()), "a padding key gets no attention");
            }
        } finally {
            head.activeProperty().set(false); // the view model is shared by the other tests
            vm.prompt().batchModeProperty().set(false);
            vm.prompt().textProperty().set(PromptViewModel.DEFAULT_PROMPT);
        }
    }

    @Test
    void anEmptyBatchIsReported() {
        vm.prompt().batchModeProperty().set(true);
        vm.prompt().textProperty().set("\n  \n");
        try {
            assertTrue(vm.status().messageProperty().get().error());
            assertTrue(vm.status().messageProperty().get().text().contains("one prompt per line"), vm.status().messageProperty().get().text());
        } finally {
            vm.prompt().batchModeProperty().set(false);
            vm.prompt().textProperty().set(PromptViewModel.DEFAULT_PROMPT);
        }
    }

    private static void assertSameHead(TensorData pattern, int row, int head, StageData data) {
        long[] shape = pattern.shape();
        assertArrayEquals(new long[] {2, 12, shape[2], shape[3]}, shape);
        assertEquals(head, data.head());
        assertEquals(12, data.heads());
        AttentionMatrix map = data.pattern();
        assertEquals(shape[2], map.rows());
        for (int q = 0; q < map.rows(); q++) {
            for (int k = 0; k < map.cols(); k++) {
                assertEquals(pattern.get(row, head, q, k), map.get(q, k), 0f, "row " + row + " q " + q + " k " + k);
            }
        }
    }
}
