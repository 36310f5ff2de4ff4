package dev.attnstudio.app.panels;

import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.app.concurrent.EngineExecutor;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import javafx.scene.chart.XYChart;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static dev.attnstudio.app.panels.PanelFixture.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generation panel: probabilities against a softmax computed here, generate-one-token and generate-N through their
 * callbacks, and the prompt with its continuation as the tokenizer decodes them.
 */
class GenerationPanelTest {

    private static LoadedModel gpt;
    private static LoadedModel minilm;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void open() throws Exception {
        gpt = PanelFixture.open("tiny-gpt");
        minilm = PanelFixture.open("all-minilm-l6-v2");
        stage = PanelFixture.stage();
    }

    @AfterAll
    static void close() throws Exception {
        PanelFixture.close(stage, gpt, minilm);
    }

    @Test
    void probabilitiesAreTheSoftmaxOfTheLastLogits() {
        try (Stepper stepper = new Stepper(gpt.model(), Stepper.Options.DEFAULT)) {
            long[] ids = gpt.tokenizer().encode("In the beginning God created the heaven").ids();
            stepper.reset(ids);
            SamplingConfig config = new SamplingConfig(0.7, 8, 0.9, 3);
            assertFalse(GenerationData.from(stepper, gpt, config, 10).ready(), "nothing computed yet");
            stepper.runToEnd();
            GenerationData d = GenerationData.from(stepper, gpt, config, 10);
            assertTrue(d.ready());

            // softmax(logits / 0.7) of the last position, computed here from hook_logits
            TensorData logits = stepper.read("hook_logits");
            int v = (int) logits.shape()[2];
            double[] p = new double[v];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < v; i++) {
                max = Math.max(max, logits.get(0, ids.length - 1, i));
            }
            double sum = 0;
            for (int i = 0; i < v; i++) {
                p[i] = Math.exp((logits.get(0, ids.length - 1, i) - max) / 0.7);
                sum += p[i];
            }
            final double total = sum;
            List<Integer> order = new ArrayList<>(IntStream.range(0, v).boxed().toList());
            order.sort(Comparator.comparingDouble((Integer i) -> -p[i]));
            double shown = 0;
            for (int r = 0; r < 10; r++) {
                GenerationData.Candidate c = d.candidates().get(r);
                assertEquals((int) order.get(r), c.token(), "rank " + r);
                assertEquals(p[order.get(r)] / total, c.probability(), 1e-6);
                shown += p[order.get(r)] / total;
            }
            assertEquals(shown, d.shownMass(), 1e-9);
            assertTrue(d.kept() <= 8, "top-k 8 keeps at most 8, kept " + d.kept());

            GenerationData all = GenerationData.from(stepper, gpt, config, v);
            assertEquals(1.0, all.shownMass(), 1e-6, "the whole vocabulary sums to 1");

            // every token the engine's sampler draws with these settings is one the panel marks as sampleable
            Set<Integer> sampleable = new HashSet<>();
            d.candidates().stream().filter(GenerationData.Candidate::sampleable).forEach(c -> sampleable.add(c.token()));
            float[] last = stepper.lastLogits(stepper.groups().get(0));
            for (long s = 0; s < 100; s++) {
                int token = new Sampler(new SamplingConfig(0.7, 8, 0.9, s)).next(last).token();
                assertTrue(sampleable.contains(token), "sampled " + token + " outside " + sampleable);
            }
        }
    }

    @Test
    void generateOneTokenThroughTheWiredCallbackAppendsAPass() throws Exception {
        EngineExecutor engine = new DirectEngineExecutor();
        try (Stepper stepper = new Stepper(gpt.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(gpt.tokenizer().encode("And God said, Let there be").ids());
            stepper.runToEnd();
            GenerationPanel panel = fx(GenerationPanel::new);
            AtomicReference<SamplingConfig> used = new AtomicReference<>();
            fx(() -> {
                panel.setSamplingConfig(new SamplingConfig(0.8, 20, 0.95, 7));
                panel.dataProperty().set(GenerationData.from(stepper, gpt, panel.samplingConfigProperty().get(), GenerationData.TOP));
                // the shell's wiring, in miniature: engine work on the executor, the new data back on the FX thread
                panel.onGenerateProperty().set(config -> {
                    used.set(config);
                    panel.busyProperty().set(true);
                    engine.submit(() -> {
                        stepper.generate(new Sampler(config));
                        stepper.runToEnd();
                        return GenerationData.from(stepper, gpt, config, GenerationData.TOP);
                    }, data -> {
                        panel.dataProperty().set(data);
                        panel.busyProperty().set(false);
                    }, e -> panel.busyProperty().set(false));
                });
                return null;
            });
            PanelFixture.show(stage, panel, 620, 600, false);
            assertEquals(new SamplingConfig(0.8, 20, 0.95, 7), fx(() -> panel.samplingConfigProperty().get()));
            List<XYChart.Data<Number, String>> bars = fx(() -> List.copyOf(panel.chart().getData().get(0).getData()));
            GenerationData before = fx(() -> panel.dataProperty().get());
            assertEquals(GenerationData.TOP, bars.size());
            GenerationData.Candidate first = before.candidates().get(0);
            XYChart.Data<Number, String> top = bars.get(bars.size() - 1);
            assertEquals(GenerationPanel.category(first), top.getYValue());
            assertEquals(first.probability(), top.getXValue().doubleValue(), 0);
            for (int r = 0; r < bars.size(); r++) {
                GenerationData.Candidate c = before.candidates().get(bars.size() - 1 - r);
                boolean greyed = fx(bars.get(r).getNode().getStyleClass()::stream).anyMatch(PanelStyles.CUT_BAR::equals);
                assertEquals(!c.sampleable(), greyed, "bar of " + c);
            }
            System.out.println("snapshot " + PanelFixture.snapshot(panel, "generation-tiny-gpt-light"));

            robot.clickOn(fx(panel::generateButton));
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(new SamplingConfig(0.8, 20, 0.95, 7), used.get());
            assertEquals(2, stepper.groups().size(), "one pass appended");
            assertEquals(PassKind.DECODE, stepper.groups().get(1).kind());
            GenerationData after = fx(() -> panel.dataProperty().get());
            assertEquals(1, after.group());
            assertEquals(before.sequence() + 1, after.sequence());
            assertFalse(after.lastChoice().isEmpty());
            assertFalse(fx(() -> panel.generateButton().isDisabled()));
            PanelFixture.show(stage, panel, 620, 600, true);
            System.out.println("snapshot " + PanelFixture.snapshot(panel, "generation-tiny-gpt-dark"));
        }
        try (Stepper stepper = new Stepper(minilm.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(minilm.tokenizer().encode("Encoders do not generate.").ids());
            stepper.runToEnd();
            GenerationData d = GenerationData.from(stepper, minilm, SamplingConfig.GREEDY, 5);
            assertFalse(d.ready());
            assertTrue(d.note().contains("encoder"), d.note());
        }
    }

    @Test
    void showsThePromptAndContinuationAsTextAndAsksForTheCountOfTokens() throws Exception {
        String prompt = "And God said, Let there be";
        try (Stepper stepper = new Stepper(gpt.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(gpt.tokenizer().encode(prompt).ids());
            stepper.runToEnd();
            GenerationPanel panel = fx(GenerationPanel::new);
            AtomicReference<List<Object>> asked = new AtomicReference<>();
            fx(() -> {
                panel.dataProperty().set(GenerationData.from(stepper, gpt, SamplingConfig.GREEDY, GenerationData.TOP));
                panel.onGenerateTokensProperty().set((config, n) -> asked.set(List.of(config, n)));
                panel.countProperty().set(7);
                return null;
            });
            PanelFixture.show(stage, panel, 720, 400, false);
            assertEquals("Prompt and continuation (0 generated tokens)", fx(() -> panel.textTitle().getText()));
            assertEquals(prompt, fx(() -> robot.from(panel).lookup("#promptText").queryAs(Text.class).getText()));
            assertEquals("", fx(panel::continuationShown));

            assertEquals("Generate 7 tokens", fx(() -> panel.generateTokensButton().getText()));
            robot.clickOn(fx(panel::generateTokensButton));
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(List.of(SamplingConfig.GREEDY, 7), asked.get());

            Sampler greedy = new Sampler(SamplingConfig.GREEDY);
            for (int i = 0; i < 5; i++) {
                stepper.generate(greedy);
            }
            stepper.runToEnd();
            fx(() -> {
                panel.dataProperty().set(GenerationData.from(stepper, gpt, SamplingConfig.GREEDY, GenerationData.TOP));
                return null;
            });
            long[] sequence = stepper.tokens();
            long[] generated = java.util.Arrays.copyOfRange(sequence, sequence.length - 5, sequence.length);
            assertEquals(gpt.tokenizer().decode(generated), fx(panel::continuationShown));
            assertEquals(prompt + gpt.tokenizer().decode(generated), fx(() -> robot.from(panel).lookup("#promptText")
                    .queryAs(Text.class).getText() + panel.continuationShown()), "prompt + continuation = the whole text");
            assertEquals("Prompt and continuation (5 generated tokens)", fx(() -> panel.textTitle().getText()));
            System.out.println("snapshot " + PanelFixture.snapshot(panel, "generation-text-light"));
        }
    }
}
