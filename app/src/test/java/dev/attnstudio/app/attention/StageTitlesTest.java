package dev.attnstudio.app.attention;

import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.intervene.Interventions;
import dev.attnstudio.engine.intervene.Switches;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.RandomLlama;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The second attention stage is titled by what the engine computed there: ÷√d_head for random-gpt2-tiny, nothing
 * when an intervention turns scaling off, and for reverse-t5 no scaling at all (its self-attention adds a position
 * bias; its cross-attention equals q·k). Each title is checked against the engine's values, and the stage strip's
 * title and tooltip against the data.
 */
class StageTitlesTest {

    private static final Path SCREENS = Path.of("target", "attention-screens");
    private static LoadedModel gpt2;
    private static LoadedModel t5;
    private static Stage stage;

    @BeforeAll
    static void open() throws Exception {
        gpt2 = SampleModels.open(SampleModels.RANDOM_GPT2_TINY.name(), DjlRuntime.DeviceChoice.CPU);
        t5 = SampleModels.open("reverse-t5", DjlRuntime.DeviceChoice.CPU);
        FxToolkit.registerPrimaryStage();
        stage = fx(Stage::new);
        Files.createDirectories(SCREENS);
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        gpt2.close();
        t5.close();
    }

    @Test
    void gemma2sMaskedStageSaysItWasSoftCappedAndIsTheCapOfTheStageBefore(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"model_type": "gemma2", "hidden_size": 32, "num_attention_heads": 2, "num_key_value_heads": 1,
                 "head_dim": 16, "num_hidden_layers": 2, "intermediate_size": 64, "max_position_embeddings": 64,
                 "vocab_size": 256, "rms_norm_eps": 1e-6, "hidden_activation": "gelu_pytorch_tanh",
                 "query_pre_attn_scalar": 16, "attn_logit_softcapping": 2.0, "final_logit_softcapping": 30.0,
                 "sliding_window": 4}""");
        ModelConfig c = ModelConfig.read(config);
        float cap = (float) ((ModelConfig.Llama) c.extra()).variant().attnSoftcap();
        long[] ids = {5, 9, 14, 22, 31, 40};
        try (LoadedModel gemma = LoadedModel.of("gemma2-random", c, RandomLlama.tensors(c, 3, 0.6f), null,
                DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(gemma.model(), Stepper.Options.DEFAULT)) {
            s.reset(ids);
            s.runTo("blocks.1.attn.hook_pattern");
            List<String> tokens = Arrays.stream(ids).mapToObj(Long::toString).toList();
            StageData d = StageData.from(s, 1, 1, tokens);
            assertEquals("soft-capped, masked", d.masked().title());
            float[] before = d.scaled().values();
            float[] after = d.masked().values();
            float largest = 0;
            for (int i = 0; i < before.length; i++) {
                largest = Math.max(largest, Math.abs(before[i]));
                if (Float.isFinite(after[i])) { // the mask's -inf cells aside, the stage is the cap of the one before
                    assertEquals(cap * Math.tanh(before[i] / cap), after[i], 1e-5, "cell " + i);
                }
            }
            assertTrue(largest > cap, "the random scores reach past the cap, so the check means something: " + largest);
        }
        long[] hi = gpt2.tokenizer().encode("Hi").ids();
        try (Stepper s = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            s.reset(hi);
            s.runToEnd();
            assertEquals("masked", StageData.from(s, 0, 0, labels(gpt2, hi)).masked().title(),
                    "a model that does not cap says masked only");
        }
    }

    @Test
    void gpt2DividesByTheRootOfTheHeadSizeUnlessAnInterventionTurnsItOff() throws Exception {
        long[] ids = gpt2.tokenizer().encode("Hello, attention").ids();
        float root = (float) Math.sqrt(gpt2.config().dHead());
        try (Stepper s = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            s.reset(ids);
            s.runTo("blocks.1.attn.hook_pattern");
            StageData d = StageData.from(s, 1, 2, labels(gpt2, ids));
            assertEquals(ScoreScaling.Kind.DIVIDED, d.scaling().kind());
            assertNull(d.scaling().positionBias());
            assertEquals("scaled \u00f7\u221ad_head", d.title(1));
            assertEquals(d.title(1), d.scaled().title());
            assertEquals("scaled", d.shortTitle(1));
            assertTrue(d.scaling().tooltip().contains("divided by \u221ad_head"), d.scaling().tooltip());
            assertTrue(d.scaling().tooltip().endsWith(s.group().trace().program()
                    .op(s.group().trace().program().indexOf("blocks.1.attn.hook_attn_scores_unmasked")).math()));
            assertStage(d, (raw, bias) -> raw / root, null);

            StageStripView strip = fx(StageStripView::new);
            show(strip, d, "stages-title-gpt2");
            assertEquals("2. scaled \u00f7\u221ad_head", fx(() -> strip.maps().get(1).titleProperty().get()));
            assertEquals(d.scaling().tooltip(), fx(() -> tooltip(strip, 1)));
        }
        try (Stepper s = new Stepper(gpt2.model(), Stepper.Options.DEFAULT.withInterventions(Interventions.NONE.with(Switches.NO_SCALING)))) {
            s.reset(ids);
            s.runTo("blocks.0.attn.hook_pattern");
            StageData d = StageData.from(s, 0, 1, labels(gpt2, ids));
            assertEquals(ScoreScaling.Kind.DISABLED, d.scaling().kind());
            assertEquals("scaled (scaling off, = raw)", d.title(1));
            assertEquals("unscaled", d.shortTitle(1));
            assertTrue(d.scaling().tooltip().contains("intervention"), d.scaling().tooltip());
            assertStage(d, (raw, bias) -> raw, null);
        }
    }

    @Test
    void t5DoesNotScaleItsSelfAttentionAddsThePositionBiasAndItsCrossAttentionIsTheRawScores() throws Exception {
        long[] source = t5.tokenizer().encode("attention").ids();
        try (Stepper s = new Stepper(t5.model(), Stepper.Options.DEFAULT)) {
            s.reset(source);
            s.runToEnd();
            StageData encoder = StageData.from(s, AttentionSource.ENCODER, 0, 1, 0, labels(t5, source), labels(t5, source));
            assertEquals(ScoreScaling.Kind.NEVER, encoder.scaling().kind());
            assertNotNull(encoder.scaling().positionBias());
            assertEquals("+ position bias (T5: no scaling)", encoder.title(1));
            assertEquals("biased", encoder.shortTitle(1));
            TensorData bias = s.group().trace().read(encoder.scaling().positionBias()); // [1, H, T, K]
            assertStage(encoder, (raw, b) -> raw + b, bias);

            StageData cross = StageData.from(s, AttentionSource.CROSS, 0, 2, 0, labels(t5, s.tokens()), labels(t5, source));
            assertEquals(ScoreScaling.Kind.NEVER, cross.scaling().kind());
            assertNull(cross.scaling().positionBias());
            assertEquals("scaled (T5: no scaling, = raw)", cross.title(1));
            assertTrue(cross.scaling().tooltip().contains("T5 does not divide"), cross.scaling().tooltip());
            assertStage(cross, (raw, b) -> raw, null);

            StageStripView strip = fx(StageStripView::new);
            show(strip, cross, "stages-title-t5-cross");
            assertEquals("2. scaled (T5: no scaling, = raw)", fx(() -> strip.maps().get(1).titleProperty().get()));
            assertEquals(cross.scaling().tooltip(), fx(() -> tooltip(strip, 1)));
            show(strip, encoder, "stages-title-t5-encoder");
            assertEquals("2. + position bias (T5: no scaling)", fx(() -> strip.maps().get(1).titleProperty().get()));
            fx(() -> {
                strip.setData(null);
                return null;
            });
            assertEquals("2. scaled", fx(() -> strip.maps().get(1).titleProperty().get()), "no data: the neutral title");
        }
    }

    /** What the second stage should hold, from a raw score and the position bias at that cell (0 without one). */
    private interface Expected {
        float at(float raw, float bias);
    }

    /** The second stage's every cell against its raw scores (and the bias), as the title claims. */
    private static void assertStage(StageData d, Expected expected, TensorData bias) {
        AttentionMatrix raw = d.raw();
        AttentionMatrix scaled = d.scaled();
        for (int q = 0; q < raw.rows(); q++) {
            for (int k = 0; k < raw.cols(); k++) {
                float b = bias == null ? 0f : bias.get(0, d.head(), q, k);
                assertEquals(expected.at(raw.get(q, k), b), scaled.get(q, k), 1e-5f, d.title(1) + " q " + q + " k " + k);
            }
        }
    }

    private static String tooltip(StageStripView strip, int stage) {
        return strip.maps().get(stage).getProperties().entrySet().stream()
                .filter(e -> e.getValue() instanceof Tooltip).map(e -> ((Tooltip) e.getValue()).getText())
                .findFirst().orElse(null);
    }

    private static List<String> labels(LoadedModel model, long[] ids) {
        return Arrays.stream(ids).mapToObj(model.tokenizer()::decode).toList();
    }

    /** Shows the data in the strip and saves it as target/attention-screens/{name}.png. */
    private static void show(StageStripView strip, StageData d, String name) throws Exception {
        fx(() -> {
            if (strip.getScene() == null) {
                Scene scene = new Scene(strip, 1000, 360);
                scene.getStylesheets().add(Styles.stylesheet());
                stage.setScene(scene);
                stage.show();
            }
            strip.setData(d);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        WritableImage image = fx(() -> strip.snapshot(null, null));
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", SCREENS.resolve(name + ".png").toFile());
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(30, TimeUnit.SECONDS);
    }
}
