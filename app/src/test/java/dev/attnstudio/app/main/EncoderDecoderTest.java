package dev.attnstudio.app.main;

import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encoder-decoder in the view model: a random T5 written to a Hugging Face folder by the engine and opened as a
 * user would. The prompt is the encoder's source, the decoder starts from its start token (or given ids), the
 * attention choice follows the cursor between the stacks, cross-attention maps have decoder rows and encoder
 * columns, and generation appends decoder tokens. Values are compared with a separately driven stepper.
 */
class EncoderDecoderTest {

    private static final String PROMPT = "reverse me";

    @TempDir
    static Path dir;
    private static Path folder;

    private MainViewModel vm;

    @BeforeAll
    static void writeModel() throws IOException {
        folder = RandomT5Folder.write(dir.resolve("random-t5")); // 2 + 2 layers, 4 heads, decoder start token 0
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

    @Test
    void thePromptIsTheSourceAndTheDecoderStartsFromItsStartToken() {
        assertTrue(vm.session().encoderDecoderProperty().get());
        assertFalse(vm.session().encoderProperty().get(), "no sentence pairs or padded batches for T5");
        assertEquals(PROMPT.length(), vm.prompt().tokens().size());
        assertEquals(1, vm.prompt().decoderTokens().size());
        assertEquals(0, vm.prompt().decoderTokens().get(0).id());
        assertTrue(vm.prompt().decoderTokens().get(0).special());
        assertTrue(vm.breakpoints().list().stream().anyMatch(b -> b.pattern().equals(BreakpointsViewModel.STACKS_BREAKPOINT)));

        vm.prompt().decoderIdsProperty().set("0, 17,5");
        assertEquals(new java.util.ArrayList<>(java.util.List.of(0L, 17L, 5L)),
                vm.prompt().decoderTokens().stream().map(TokenChip::id).toList());
        vm.prompt().decoderIdsProperty().set("0,x");
        assertTrue(vm.status().messageProperty().get().error());
        assertTrue(vm.status().messageProperty().get().text().contains("\u2018x\u2019 is not a token id"), vm.status().messageProperty().get().text());
    }

    @Test
    void theAttentionChoiceFollowsTheCursorAndCrossAttentionHasDecoderRowsAndEncoderColumns() {
        ViewFeed<StageData> stages = vm.feeds().add("stages", (s, c) ->
                StageData.from(s, c.source(), c.layer(), c.head(), c.batchRow(), c.queryLabels(), c.keyLabels()));
        vm.prompt().decoderIdsProperty().set("0,17,5");
        vm.stepping().runToBreakpoint();
        assertEquals("encoder.blocks.0.attn.hook_pattern", vm.stepping().currentStepProperty().get().name());
        assertEquals(AttentionSource.ENCODER, vm.selection().attentionSourceProperty().get());
        assertEquals(PROMPT.length(), stages.dataProperty().get().pattern().rows());

        vm.stepping().runToEnd();
        vm.selection().attentionSourceProperty().set(AttentionSource.CROSS);
        vm.selection().layerProperty().set(1);
        vm.selection().headProperty().set(2);
        StageData cross = stages.dataProperty().get();
        assertNotNull(cross.pattern());
        assertEquals("decoder.blocks.1.cross_attn.hook_pattern", cross.pattern().hook());
        assertEquals(3, cross.pattern().rows(), "rows: the decoder's tokens");
        assertEquals(PROMPT.length(), cross.pattern().cols(), "columns: the encoder's tokens");
        assertEquals("r", cross.pattern().colLabels().get(0));
        assertTrue(cross.caption().contains("cross"), cross.caption());

        try (LoadedModel reference = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            s.reset(Batch.encoderDecoder(reference.tokenizer().encode(PROMPT).ids(), new long[] {0, 17, 5}));
            s.runToEnd();
            TensorData pattern = s.read("decoder.blocks.1.cross_attn.hook_pattern");
            for (int q = 0; q < 3; q++) {
                for (int k = 0; k < PROMPT.length(); k++) {
                    assertEquals(pattern.get(0, 2, q, k), cross.pattern().get(q, k), 0f, "q " + q + " k " + k);
                }
            }
        }
    }

    @Test
    void generationAppendsDecoderTokens() {
        vm.stepping().generate(SamplingConfig.GREEDY);
        vm.stepping().runToEnd();
        vm.stepping().generate(SamplingConfig.GREEDY);
        assertFalse(vm.status().messageProperty().get().error(), vm.status().messageProperty().get().text());
        assertEquals(3, vm.prompt().decoderTokens().size());
        assertEquals(PROMPT.length(), vm.prompt().tokens().size(), "the source stays");
        try (LoadedModel reference = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            s.reset(Batch.of(reference.tokenizer().encode(PROMPT).ids()));
            s.generate(new Sampler(SamplingConfig.GREEDY));
            s.runToEnd();
            s.generate(new Sampler(SamplingConfig.GREEDY));
            assertArrayEquals(s.tokens(), vm.prompt().decoderTokens().stream().mapToLong(TokenChip::id).toArray());
        }
    }
}
