package dev.attnstudio.app.panels;

import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.metrics.HeadEntropy;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.XYChart;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.attnstudio.app.panels.PanelFixture.fx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The panels on the trained encoder-decoder sample {@code reverse-t5} (a source of letters, written backwards by the
 * decoder): entropy of decoder self- and cross-attention, the KV cache of the decoder's blocks with its
 * cross-attention keys and values, the next decoder token's probabilities, and the mask of decoder attention,
 * before and after generating tokens, against the engine's own tensors.
 */
class T5PanelsTest {

    private static final String SOURCE = "attention";
    private static final int GENERATED = 3;
    private static LoadedModel t5;
    private static Stage stage;

    @BeforeAll
    static void open() throws Exception {
        t5 = PanelFixture.open("reverse-t5");
        stage = PanelFixture.stage();
    }

    @AfterAll
    static void close() throws Exception {
        PanelFixture.close(stage, t5);
    }

    private static Stepper prefilled() {
        Stepper s = new Stepper(t5.model(), Stepper.Options.DEFAULT);
        s.reset(t5.tokenizer().encode(SOURCE).ids());
        s.runToEnd();
        return s;
    }

    private static void generate(Stepper s, int tokens) {
        for (int i = 0; i < tokens; i++) {
            s.generate(new Sampler(SamplingConfig.GREEDY));
            s.runToEnd();
        }
    }

    /** Every head's and query's entropy equals the engine's for both decoder attentions of every decoder block. */
    private static void assertEntropy(Stepper s, int queries) {
        for (AttentionSource source : List.of(AttentionSource.DECODER, AttentionSource.CROSS)) {
            EntropyData d = EntropyData.from(s, t5, source, 0);
            assertEquals(queries, d.queries(), source + ": one row per decoder query");
            assertEquals(t5.config().nHead(), d.heads());
            assertEquals(((dev.attnstudio.engine.config.ModelConfig.T5) t5.config().extra()).nDecoderLayers(), d.layers());
            long[] decoder = s.group().inputs().decoderIds()[0];
            assertEquals(TokenLabels.of(t5.tokenizer(), decoder, 0, queries), d.queryLabels());
            for (int l = 0; l < d.layers(); l++) {
                HeadEntropy e = HeadEntropy.of(s, source.hook(l, AttentionSource.PATTERN));
                assertEquals(queries, e.queries());
                for (int h = 0; h < d.heads(); h++) {
                    assertFalse(Float.isNaN(d.mean(l, h)), source + " L" + l + " H" + h);
                    assertEquals(e.meanNormalized(0, h), d.mean(l, h), 1e-6f, source + " L" + l + " H" + h);
                    for (int q = 0; q < queries; q++) {
                        assertEquals(e.normalized(0, h, q), d.perQuery(l, h, q), 0f);
                    }
                }
            }
        }
    }

    @Test
    void entropyOfDecoderSelfAndCrossAttentionInPrefillAndDecodePasses() {
        try (Stepper s = prefilled()) {
            assertEntropy(s, 1); // the prefill's decoder reads the start token
            generate(s, GENERATED);
            assertEntropy(s, 1); // a decode pass reads the one new token over the cache
            EntropyData cross = EntropyData.from(s, t5, AttentionSource.CROSS, 0);
            assertEquals(GENERATED + 1, cross.evolution().size(), "one entry per pass");
            assertEquals(TokenLabels.label(t5.tokenizer(), s.tokens()[GENERATED]), cross.evolution().get(GENERATED).label());
        }
    }

    @Test
    void kvCacheHoldsTheDecoderBlocksAndTheCrossAttentionOnce() {
        try (Stepper s = prefilled()) {
            generate(s, GENERATED);
            int layers = t5.model().capabilities().cacheLayers();
            int sourceLength = s.groups().get(0).ids()[0].length;
            KvCacheData d = KvCacheData.from(s, t5, layers - 1, 1);
            assertEquals(layers, d.layers());
            assertEquals(t5.config().dHead(), d.dHead());
            assertEquals("decoder.blocks." + (layers - 1) + ".attn.hook_k", d.keyHook());
            assertTrue(d.note().isEmpty(), d.note());
            Stepper.Group last = s.group();
            assertEquals(GENERATED, last.past(), "decoder start token + generated tokens before the last pass");
            assertEquals(last.past() + 1, d.positions(), "K columns: decoder past + 1");
            assertEquals(s.tokens().length, d.positionLabels().size());

            KvCacheData.Pass pass = d.passes().get(d.passes().size() - 1);
            assertArrayEquals(last.cacheBytes(), pass.cacheBytes());
            assertEquals(s.cache().bytes(), pass.totalBytes());
            assertEquals(sourceLength, d.crossPositions());
            assertTrue(d.crossBytes() > 0);
            long self = 0;
            for (int l = 0; l < layers; l++) {
                // self-attention keys and values: 2 x positions x heads x d_kv float32 per layer; the rest is cross
                assertEquals(2L * d.positions() * d.kvHeads() * d.dHead() * Float.BYTES, d.selfBytes(pass, l), "layer " + l);
                assertEquals(s.cache().crossBytes(l), d.crossLayerBytes()[l], "layer " + l);
                self += d.selfBytes(pass, l);
            }
            assertEquals(pass.totalBytes(), self + d.crossBytes());

            // the matrix's columns are the keys of every pass, each from its own trace
            int column = 0;
            for (Stepper.Group g : s.groups()) {
                TensorData k = g.trace().read(d.keyHook(), "0, :, 1"); // [T, d_kv]
                for (int p = 0; p < k.shape()[0]; p++, column++) {
                    for (int i = 0; i < d.dHead(); i++) {
                        assertEquals(k.values()[p * d.dHead() + i], d.key(i, column), 0f);
                    }
                }
            }
            assertEquals(d.positions(), column);
        }
    }

    @Test
    void kvCachePanelSplitsSelfAndCrossBytes() throws Exception {
        try (Stepper s = prefilled()) {
            generate(s, GENERATED);
            KvCacheData d = KvCacheData.from(s, t5, 0, 0);
            KvCachePanel panel = fx(KvCachePanel::new);
            fx(() -> {
                panel.dataProperty().set(d);
                return null;
            });
            PanelFixture.show(stage, panel, 900, 700, false);
            List<XYChart.Series<String, Number>> series = fx(() -> List.copyOf(panel.bytesChart().getData()));
            assertEquals(d.layers() + 1, series.size(), "a series per decoder layer and one for cross-attention");
            assertEquals("cross K/V", series.get(d.layers()).getName());
            double total = 0;
            for (XYChart.Series<String, Number> sr : series) {
                total += sr.getData().get(sr.getData().size() - 1).getYValue().doubleValue();
            }
            assertEquals(s.cache().bytes() / 1024.0, total, 1e-9, "the stacked bar is the whole cache");
            PanelFixture.snapshotBothThemes(panel, "t5-kv-cache");
        }
    }

    @Test
    void generationShowsTheNextDecoderTokenAndWaitsForANewPass() throws Exception {
        try (Stepper s = prefilled()) {
            GenerationData d = GenerationData.from(s, t5, SamplingConfig.GREEDY, GenerationData.TOP);
            assertTrue(d.ready(), d.note());
            float[] logits = s.lastLogits(s.group());
            double[] p = softmax(logits);
            int best = 0;
            for (int i = 1; i < p.length; i++) {
                best = p[i] > p[best] ? i : best;
            }
            assertEquals(best, d.candidates().get(0).token());
            for (GenerationData.Candidate c : d.candidates()) {
                assertEquals(p[c.token()], c.probability(), 1e-6, "token " + c.token());
            }

            GenerationPanel panel = fx(GenerationPanel::new);
            fx(() -> {
                panel.dataProperty().set(d);
                return null;
            });
            PanelFixture.show(stage, panel, 620, 560, false);
            assertTrue(fx(() -> panel.chart().isVisible()));
            assertFalse(fx(() -> panel.placeholder().isVisible()));
            List<XYChart.Data<Number, String>> bars = fx(() -> List.copyOf(panel.chart().getData().get(0).getData()));
            XYChart.Data<Number, String> top = bars.get(bars.size() - 1); // the most likely sits on top
            assertEquals(GenerationPanel.category(d.candidates().get(0)), top.getYValue());
            assertEquals(p[best], top.getXValue().doubleValue(), 1e-6);

            s.generate(new Sampler(SamplingConfig.GREEDY)); // the new pass is not run
            GenerationData waiting = GenerationData.from(s, t5, SamplingConfig.GREEDY, GenerationData.TOP);
            assertFalse(waiting.ready());
            assertTrue(waiting.note().startsWith("Run the new pass 1"), waiting.note());
            fx(() -> {
                panel.dataProperty().set(waiting);
                return null;
            });
            assertFalse(fx(() -> panel.chart().isVisible()), "no empty chart with the old axis");
            assertTrue(fx(() -> ((CategoryAxis) panel.chart().getYAxis()).getCategories().isEmpty()));
            assertTrue(fx(() -> panel.placeholder().isVisible()));
            assertEquals(waiting.note(), fx(() -> panel.placeholder().getText()));
            System.out.println("snapshot " + PanelFixture.snapshot(panel, "t5-generation-waiting"));
        }
    }

    @Test
    void maskOfDecoderSelfAndCrossAttention() throws Exception {
        try (Stepper s = prefilled()) {
            generate(s, GENERATED);
            int sourceLength = s.groups().get(0).ids()[0].length;
            MaskData self = MaskData.from(s, t5, AttentionSource.DECODER, 0, 0);
            assertNotNull(self);
            assertEquals(1, self.queries());
            assertEquals(GENERATED + 1, self.keys(), "the cached decoder keys and the new one");
            assertEquals(GENERATED, self.past());
            MaskData cross = MaskData.from(s, t5, AttentionSource.CROSS, 1, 0);
            assertNotNull(cross);
            assertEquals(1, cross.queries());
            assertEquals(sourceLength, cross.keys(), "cross-attention keys are the source's");
            assertEquals(0, cross.past());
            assertEquals(GENERATED, cross.firstQuery(), "the new query's decoder position");
            assertEquals(self.firstQuery(), cross.firstQuery());
            String readout = fx(() -> {
                MaskPanel panel = new MaskPanel();
                panel.dataProperty().set(cross);
                return panel.canvas().describe(0, 0);
            });
            assertTrue(readout.startsWith("query " + GENERATED + " '"), readout);
            assertEquals(TokenLabels.of(t5.tokenizer(), s.groups().get(0).ids()[0], 0, sourceLength), cross.keyLabels());
            assertTrue(Arrays.stream(cross.cells()).noneMatch(MaskData.Cell::blocked), "an unpadded source is all allowed");
        }
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
