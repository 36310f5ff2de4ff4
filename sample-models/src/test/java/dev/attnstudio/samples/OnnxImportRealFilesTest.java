package dev.attnstudio.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.OnnxGraph;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.OnnxBertImport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fp32 ONNX encoders shipped in the langchain4j embedding jars, read from the class path and imported as
 * Hugging Face BERT tensors. Each test holds one model (90 or 133 MB of floats) at a time.
 */
class OnnxImportRealFilesTest {

    private static OnnxGraph resource(String name) {
        try (InputStream in = OnnxImportRealFilesTest.class.getResourceAsStream("/" + name)) {
            assertNotNull(in, name + " is not on the test class path (langchain4j embeddings jar)");
            return OnnxGraph.read(in, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void allMiniLmL6V2() {
        OnnxGraph graph = resource("all-minilm-l6-v2.onnx");
        OnnxBertImport.Imported imported = OnnxBertImport.read(graph, Path.of("all-minilm-l6-v2.onnx"));

        assertEquals(new ModelConfig(ModelConfig.Architecture.BERT, 6, 12, 384, 1536, 512, 30522, 2, 1e-12,
                ModelConfig.Activation.GELU), imported.config());
        assertHuggingFaceLayout(imported);
        assertTransposed(graph, "/encoder/layer.0/intermediate/dense/MatMul",
                imported.tensors().get("encoder.layer.0.intermediate.dense.weight"));
        assertTransposed(graph, "/encoder/layer.5/attention/self/value/MatMul",
                imported.tensors().get("encoder.layer.5.attention.self.value.weight"));
        assertSame(graph.initializers().get("encoder.layer.3.attention.self.key.bias").floats(),
                imported.tensors().get("encoder.layer.3.attention.self.key.bias").values());
    }

    @Test
    void bgeSmallEnV15() {
        OnnxGraph graph = resource("bge-small-en-v1.5.onnx");
        OnnxBertImport.Imported imported = OnnxBertImport.read(graph, Path.of("bge-small-en-v1.5.onnx"));

        ModelConfig c = imported.config();
        assertEquals(12, c.nLayer());
        assertEquals(12, c.nHead());
        assertEquals(384, c.dModel());
        assertEquals(1536, c.dMlp());
        assertEquals(30522, c.vocabSize());
        assertEquals(512, c.nPositions());
        assertEquals(2, c.typeVocabSize());
        assertEquals(1e-12, c.layerNormEps());
        assertEquals(ModelConfig.Activation.GELU, c.activation());
        assertHuggingFaceLayout(imported);
        assertTransposed(graph, "/encoder/layer.11/output/dense/MatMul",
                imported.tensors().get("encoder.layer.11.output.dense.weight"));
        assertTransposed(graph, "/encoder/layer.0/attention/self/query/MatMul",
                imported.tensors().get("encoder.layer.0.attention.self.query.weight"));
    }

    /** 5 embedding tensors, then 16 per layer, each with the shape Hugging Face's BertModel has. */
    private static void assertHuggingFaceLayout(OnnxBertImport.Imported imported) {
        ModelConfig c = imported.config();
        Map<String, SafeTensors.Tensor> t = imported.tensors();
        long d = c.dModel();
        long f = c.dMlp();
        assertEquals(5 + 16 * c.nLayer(), t.size());
        assertShape(t, "embeddings.word_embeddings.weight", c.vocabSize(), d);
        assertShape(t, "embeddings.position_embeddings.weight", c.nPositions(), d);
        assertShape(t, "embeddings.token_type_embeddings.weight", c.typeVocabSize(), d);
        assertShape(t, "embeddings.LayerNorm.weight", d);
        assertShape(t, "embeddings.LayerNorm.bias", d);
        for (int n = 0; n < c.nLayer(); n++) {
            String p = "encoder.layer." + n + ".";
            for (String proj : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"}) {
                assertShape(t, p + proj + ".weight", d, d);
                assertShape(t, p + proj + ".bias", d);
            }
            assertShape(t, p + "attention.output.LayerNorm.weight", d);
            assertShape(t, p + "attention.output.LayerNorm.bias", d);
            assertShape(t, p + "intermediate.dense.weight", f, d);
            assertShape(t, p + "intermediate.dense.bias", f);
            assertShape(t, p + "output.dense.weight", d, f);
            assertShape(t, p + "output.dense.bias", d);
            assertShape(t, p + "output.LayerNorm.weight", d);
            assertShape(t, p + "output.LayerNorm.bias", d);
        }
    }

    private static void assertShape(Map<String, SafeTensors.Tensor> tensors, String name, long... shape) {
        SafeTensors.Tensor t = tensors.get(name);
        assertNotNull(t, name);
        assertArrayEquals(shape, t.shape(), name);
        assertEquals(SafeTensors.DType.F32, t.dtype(), name);
    }

    /** The Hugging Face weight [out, in] is the transpose of what the MatMul node reads, [in, out]. */
    private static void assertTransposed(OnnxGraph graph, String matMul, SafeTensors.Tensor hf) {
        OnnxGraph.Node node = graph.nodes().stream().filter(n -> n.name().equals(matMul)).findFirst().orElseThrow();
        OnnxGraph.Tensor onnx = graph.initializers().get(node.inputs().get(1));
        assertNotNull(onnx, "the weight of " + matMul);
        long[] dims = onnx.dims();
        assertArrayEquals(new long[] {dims[1], dims[0]}, hf.shape());
        int in = (int) dims[0];
        int out = (int) dims[1];
        float[] w = onnx.floats();
        float[] t = hf.values();
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                if (w[i * out + o] != t[o * in + i]) {
                    assertEquals(w[i * out + o], t[o * in + i], matMul + " at in " + i + ", out " + o);
                }
            }
        }
    }
}
