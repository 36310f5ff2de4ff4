package dev.attnstudio.app.bundle;

import dev.attnstudio.app.attention.AttentionGridData;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.inspector.InspectorData;
import dev.attnstudio.app.lens.LensData;
import dev.attnstudio.app.panels.EntropyData;
import dev.attnstudio.app.panels.KvCacheData;
import dev.attnstudio.app.panels.MaskData;
import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.cli.Main;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A bundle written by the CLI, opened with no model: the replayed stepper is what the views read, so the Head view's
 * data (built by the view's own factory, {@link StageData#from}) must hold exactly the bundle's arrays, for the
 * prompt's pass and a generated token's pass.
 */
class BundleReplayTest {

    @TempDir
    Path dir;

    private Path trace(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("trace", "--device", "cpu"));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return Path.of(all.get(all.indexOf("--out") + 1));
    }

    @Test
    void theHeadViewOfAReplayedBundleShowsTheRecordedArrays() throws Exception {
        Path npz = trace("--model", "tiny-gpt", "--prompt", "And God said", "--generate", "2", "--out",
                dir.resolve("run.npz").toString());
        try (RecordedTrace bundle = RecordedTrace.open(npz);
             LoadedModel model = BundleReplay.model(bundle);
             Stepper stepper = BundleReplay.replay(model, bundle)) {
            assertEquals(bundle.groups().size(), stepper.groups().size(), "every recorded pass is replayed");
            assertArrayEquals(bundle.manifest().tokenIds(), stepper.tokens(), "the generated tokens are the recorded ones");
            List<TokenChip> chips = new ArrayList<>();
            for (int i = 0; i < bundle.tokenStrings().size(); i++) {
                chips.add(new TokenChip(i, bundle.manifest().tokenIds()[i], bundle.tokenStrings().get(i), false));
            }
            int heads = bundle.capabilities().heads();
            for (int g : new int[] {0, bundle.groups().size() - 1}) {
                stepper.moveTo(g, stepper.groups().get(g).trace().program().size() - 1);
                for (int layer = 0; layer < bundle.config().nLayer(); layer++) {
                    for (int head = 0; head < heads; head++) {
                        ViewContext c = new ViewContext(model, List.of(chips), List.of(), layer, head, 0,
                                AttentionSource.SELF, false);
                        StageData data = StageData.from(stepper, c);
                        AttentionMatrix weights = data.stages().get(data.stages().size() - 1);
                        String hook = HookName.Block.PATTERN.at(layer);
                        TensorData recorded = bundle.read(g, hook); // [B, H, T, K]
                        int t = (int) recorded.shape()[2];
                        int k = (int) recorded.shape()[3];
                        assertEquals(t, weights.rows(), hook);
                        assertEquals(k, weights.cols(), hook);
                        float[] cells = Arrays.copyOfRange(recorded.values(), head * t * k, (head + 1) * t * k);
                        assertArrayEquals(cells, weights.values(), 0f, "pass " + g + ", " + hook + ", head " + head);
                    }
                }
            }
        }
    }

    @Test
    void theViewsThatReadTheRecordingWorkAndThoseThatRunTheModelSaySo() throws Exception {
        Path npz = trace("--model", "tiny-gpt", "--prompt", "And God said", "--generate", "1", "--out",
                dir.resolve("views.npz").toString());
        try (RecordedTrace bundle = RecordedTrace.open(npz);
             LoadedModel model = BundleReplay.model(bundle);
             Stepper stepper = BundleReplay.replay(model, bundle)) {
            List<TokenChip> chips = new ArrayList<>();
            for (int i = 0; i < bundle.tokenStrings().size(); i++) {
                chips.add(new TokenChip(i, bundle.manifest().tokenIds()[i], bundle.tokenStrings().get(i), false));
            }
            ViewContext c = new ViewContext(model, List.of(chips), List.of(), 1, 0, 0, AttentionSource.SELF, false);
            assertNotNull(AttentionGridData.from(stepper, c), "attention grid");
            assertNotNull(MaskData.from(stepper, c), "mask");
            assertNotNull(EntropyData.from(stepper, c), "entropy");
            assertNotNull(KvCacheData.from(stepper, model, 0, 0), "KV cache");
            assertNotNull(InspectorData.from(stepper, c.rowLabels()), "inspector");
            // a view that runs the prompt through the model itself is refused, with the reason
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> LensData.compute(model, stepper.groups().get(0).inputs(), 0, null));
            assertTrue(e.getMessage().contains("recorded trace"), e.getMessage());
        }
    }

    @Test
    void aBundleOfSomeHooksReplaysThePromptsPassWithOnlyThoseSteps() throws Exception {
        Path npz = trace("--model", "tiny-gpt", "--prompt", "And God said", "--generate", "1", "--hooks",
                "blocks.*.attn.hook_pattern", "--out", dir.resolve("some.npz").toString());
        try (RecordedTrace bundle = RecordedTrace.open(npz);
             LoadedModel model = BundleReplay.model(bundle);
             Stepper stepper = BundleReplay.replay(model, bundle)) {
            assertEquals(1, stepper.groups().size(), "without logits and cached keys the generation is not replayed");
            List<String> steps = stepper.group().trace().program().names();
            assertEquals(bundle.hookNames(0), steps);
            assertFalse(stepper.group().trace().available(HookName.Model.LOGITS.id));
        }
    }
}
