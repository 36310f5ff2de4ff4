package dev.attnstudio.engine.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.OnnxGraph;
import dev.attnstudio.engine.io.OnnxGraph.Node;
import dev.attnstudio.engine.io.OnnxGraph.Tensor;
import dev.attnstudio.engine.io.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Synthetic graphs laid out like the PyTorch exporter's BERT (opset 11, unfused, anonymous MatMul weights). */
class OnnxBertImportTest {

    private static final Path LABEL = Path.of("tiny-bert.onnx");
    // d_model D, heads H of width HD, MLP width F, vocabulary V, positions P, token types T
    private static final int D = 4;
    private static final int H = 2;
    private static final int HD = 2;
    private static final int F = 8;
    private static final int V = 10;
    private static final int P = 6;
    private static final int T = 2;

    /** Writes a BERT graph node by node, the way torch.onnx.export names things. */
    private static final class Exporter {
        final Map<String, Tensor> inits = new LinkedHashMap<>();
        final List<Node> nodes = new ArrayList<>();
        final Random random = new Random(7);
        String activation = "Erf";
        float eps = 1e-12f;
        float scoreDivisor = (float) Math.sqrt(HD);
        int anonymous = 780;

        Tensor floats(String name, long... dims) {
            int n = 1;
            for (long d : dims) {
                n *= (int) d;
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = random.nextFloat() - 0.5f;
            }
            return new Tensor(name, OnnxGraph.FLOAT, dims, v, null);
        }

        void init(String name, long... dims) {
            inits.put(name, floats(name, dims));
        }

        /** Adds a node; its single output is named like the exporter's ({@code <name>_output_0}). */
        String node(String name, String op, String... inputs) {
            String out = name + "_output_0";
            nodes.add(new Node(name, op, List.of(inputs), List.of(out), Map.of(), Map.of(), Map.of()));
            return out;
        }

        String constant(String name, Tensor value) {
            String out = name + "_output_0";
            nodes.add(new Node(name, "Constant", List.of(), List.of(out), Map.of("value", value), Map.of(), Map.of()));
            return out;
        }

        String scalar(String name, float v) {
            return constant(name, new Tensor("", OnnxGraph.FLOAT, new long[0], new float[] {v}, null));
        }

        String ints(String name, long... v) {
            return constant(name, new Tensor("", OnnxGraph.INT64, new long[] {v.length}, null, v));
        }

        /** x W + b: W anonymous [in, out] read by scope/MatMul, b named, read by scope/Add. */
        String linear(String scope, String x, int in, int out) {
            String w = "onnx::MatMul_" + anonymous++;
            init(w, in, out);
            String bias = hfName(scope) + ".bias";
            init(bias, out);
            String y = node(scope + "/MatMul", "MatMul", x, w);
            return node(scope + "/Add", "Add", bias, y);
        }

        /** LayerNorm spelled out: (x - mean) / sqrt(var + eps) * weight + bias. */
        String layerNorm(String scope, String x) {
            String weight = hfName(scope) + ".weight";
            String bias = hfName(scope) + ".bias";
            init(weight, D);
            init(bias, D);
            String mean = node(scope + "/ReduceMean", "ReduceMean", x);
            String centred = node(scope + "/Sub", "Sub", x, mean);
            String sq = node(scope + "/Pow", "Pow", centred, scalar(scope + "/Constant", 2));
            String var = node(scope + "/ReduceMean_1", "ReduceMean", sq);
            String std = node(scope + "/Sqrt", "Sqrt",
                    node(scope + "/Add", "Add", var, scalar(scope + "/Constant_1", eps)));
            String normed = node(scope + "/Div", "Div", centred, std);
            return node(scope + "/Add_1", "Add", node(scope + "/Mul", "Mul", normed, weight), bias);
        }

        String headSplit(String scope, String x, String suffix) {
            String batch = node(scope + "/Unsqueeze" + suffix, "Unsqueeze", x); // dynamic sizes stand in
            String seq = node(scope + "/Unsqueeze_1" + suffix, "Unsqueeze", x);
            String shape = node(scope + "/Concat" + suffix, "Concat", batch, seq,
                    ints(scope + "/Constant_2" + suffix, H), ints(scope + "/Constant_3" + suffix, HD));
            return node(scope + "/Reshape" + suffix, "Reshape", x, shape);
        }

        String layer(int n, String x) {
            String self = "/encoder/layer." + n + "/attention/self";
            String q = headSplit(self, linear(self + "/query", x, D, D), "_q");
            String k = headSplit(self, linear(self + "/key", x, D, D), "_k");
            String v = headSplit(self, linear(self + "/value", x, D, D), "_v");
            String scores = node(self + "/MatMul", "MatMul", q, node(self + "/Transpose", "Transpose", k));
            String scaled = node(self + "/Div", "Div", scores, scalar(self + "/Constant_12", scoreDivisor));
            String probs = node(self + "/Softmax", "Softmax", scaled);
            String mixed = node(self + "/MatMul_1", "MatMul", probs, v);
            String merged = node(self + "/Reshape_3", "Reshape", mixed, ints(self + "/Constant_15", 0, 0, D));

            String att = "/encoder/layer." + n + "/attention/output";
            String attOut = linear(att + "/dense", merged, D, D);
            String h = layerNorm(att + "/LayerNorm", node(att + "/Add", "Add", attOut, x));

            String mid = "/encoder/layer." + n + "/intermediate";
            String pre = linear(mid + "/dense", h, D, F);
            String act = mid + "/intermediate_act_fn";
            String g = activation.equals("Erf")
                    ? node(act + "/Erf", "Erf", node(act + "/Div", "Div", pre, scalar(act + "/Constant", 1.4142135f)))
                    : node(act + "/" + activation, activation, pre);
            String mlp = node(act + "/Mul", "Mul", pre, g);

            String out = "/encoder/layer." + n + "/output";
            return layerNorm(out + "/LayerNorm", node(out + "/Add", "Add", linear(out + "/dense", mlp, F, D), h));
        }

        OnnxGraph graph(int layers) {
            inits.put("embeddings.position_ids", new Tensor("embeddings.position_ids", OnnxGraph.INT64,
                    new long[] {1, P}, null, new long[P])); // an int64 buffer, as in MiniLM: not imported
            init("embeddings.word_embeddings.weight", V, D);
            init("embeddings.position_embeddings.weight", P, D);
            init("embeddings.token_type_embeddings.weight", T, D);
            String words = node("/embeddings/word_embeddings/Gather", "Gather",
                    "embeddings.word_embeddings.weight", "input_ids");
            String types = node("/embeddings/token_type_embeddings/Gather", "Gather",
                    "embeddings.token_type_embeddings.weight", "token_type_ids");
            String positions = node("/embeddings/position_embeddings/Gather", "Gather",
                    "embeddings.position_embeddings.weight", "position_ids");
            String x = layerNorm("/embeddings/LayerNorm", node("/embeddings/Add_1", "Add",
                    node("/embeddings/Add", "Add", words, types), positions));
            for (int n = 0; n < layers; n++) {
                x = layer(n, x);
            }
            return new OnnxGraph(nodes, inits, List.of("input_ids", "attention_mask", "token_type_ids"), List.of(x));
        }

        static String hfName(String scope) {
            return scope.substring(1).replace('/', '.');
        }
    }

    private static OnnxGraph bert(int layers) {
        return new Exporter().graph(layers);
    }

    private static List<String> expectedNames(int layers) {
        List<String> names = new ArrayList<>(List.of("embeddings.word_embeddings.weight",
                "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
                "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"));
        for (int n = 0; n < layers; n++) {
            for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense",
                    "output.LayerNorm")) {
                names.add("encoder.layer." + n + "." + m + ".weight");
                names.add("encoder.layer." + n + "." + m + ".bias");
            }
        }
        return names;
    }

    /** The initializer a node reads as its second input (the MatMul weight). */
    private static Tensor weightOf(OnnxGraph g, String nodeName) {
        Node node = g.nodes().stream().filter(n -> n.name().equals(nodeName)).findFirst().orElseThrow();
        return g.initializers().get(node.inputs().get(1));
    }

    private static void assertTransposed(Tensor onnx, SafeTensors.Tensor hf) {
        long[] in = onnx.dims();
        assertArrayEquals(new long[] {in[1], in[0]}, hf.shape());
        int rows = (int) in[0];
        int cols = (int) in[1];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(onnx.floats()[r * cols + c], hf.values()[c * rows + r]);
            }
        }
    }

    private static ModelFormatException rejected(OnnxGraph g) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxBertImport.read(g, LABEL));
        assertTrue(e.getMessage().startsWith(LABEL + ": "), e.getMessage());
        return e;
    }

    private static OnnxGraph withInitializers(OnnxGraph g, UnaryOperator<Map<String, Tensor>> edit) {
        return new OnnxGraph(g.nodes(), edit.apply(new LinkedHashMap<>(g.initializers())), g.inputs(), g.outputs());
    }

    @Test
    void importsHuggingFaceNamesShapesAndTransposedWeights() {
        OnnxGraph g = bert(1);
        OnnxBertImport.Imported imported = OnnxBertImport.read(g, LABEL);

        assertEquals(new ModelConfig(ModelConfig.Architecture.BERT, 1, H, D, F, P, V, T, 1e-12,
                ModelConfig.Activation.GELU), imported.config());
        assertEquals(expectedNames(1), List.copyOf(imported.tensors().keySet()));
        assertArrayEquals(new long[] {F, D}, imported.tensors().get("encoder.layer.0.intermediate.dense.weight").shape());
        assertArrayEquals(new long[] {D, F}, imported.tensors().get("encoder.layer.0.output.dense.weight").shape());
        imported.tensors().values().forEach(t -> assertEquals(SafeTensors.DType.F32, t.dtype()));

        for (String module : List.of("attention/self/query", "attention/self/key", "attention/self/value",
                "attention/output/dense", "intermediate/dense", "output/dense")) {
            assertTransposed(weightOf(g, "/encoder/layer.0/" + module + "/MatMul"),
                    imported.tensors().get("encoder.layer.0." + module.replace('/', '.') + ".weight"));
        }
        // named tensors are taken as they are, without a copy
        assertSame(g.initializers().get("encoder.layer.0.attention.self.key.bias").floats(),
                imported.tensors().get("encoder.layer.0.attention.self.key.bias").values());
        assertArrayEquals(new long[] {V, D}, imported.tensors().get("embeddings.word_embeddings.weight").shape());
    }

    @Test
    void theLayerCountComesFromTheWeights() {
        OnnxBertImport.Imported imported = OnnxBertImport.read(bert(3), LABEL);
        assertEquals(3, imported.config().nLayer());
        assertEquals(expectedNames(3), List.copyOf(imported.tensors().keySet()));
    }

    @Test
    void aMissingInitializerIsNamed() {
        OnnxGraph g = withInitializers(bert(1), m -> {
            m.remove("encoder.layer.0.attention.self.key.bias");
            return m;
        });
        assertEquals(LABEL + ": missing initializer 'encoder.layer.0.attention.self.key.bias'", rejected(g).getMessage());
    }

    @Test
    void aGraphWithoutWordEmbeddingsIsNotABertEncoder() {
        OnnxGraph g = withInitializers(bert(1), m -> {
            m.remove("embeddings.word_embeddings.weight");
            return m;
        });
        assertEquals(LABEL + ": not a BERT encoder: no embeddings.word_embeddings.weight", rejected(g).getMessage());
    }

    @Test
    void aWrongShapeIsNamedWithWhatWasExpected() {
        Exporter exporter = new Exporter();
        OnnxGraph g = withInitializers(exporter.graph(1), m -> {
            m.put("encoder.layer.0.intermediate.dense.bias", exporter.floats("encoder.layer.0.intermediate.dense.bias", 7));
            return m;
        });
        String message = rejected(g).getMessage();
        assertTrue(message.contains("'encoder.layer.0.intermediate.dense.bias' (from "
                + "'encoder.layer.0.intermediate.dense.bias') has shape [7], expected [8]"), message);
    }

    @Test
    void anonymousBiasesAndABertPrefixArePlacedByTheirNodes() {
        OnnxGraph plain = bert(1);
        // what BertForXxx exports look like: "bert." on tensor names, "/bert" on node names; plus one
        // anonymous bias (as when the exporter folds constants)
        Map<String, String> rename = new LinkedHashMap<>();
        for (String name : plain.initializers().keySet()) {
            rename.put(name, name.startsWith("onnx::") ? name : "bert." + name);
        }
        rename.put("encoder.layer.0.attention.self.value.bias", "onnx::Add_55");
        Map<String, Tensor> inits = new LinkedHashMap<>();
        plain.initializers().forEach((name, t) ->
                inits.put(rename.get(name), new Tensor(rename.get(name), t.dataType(), t.dims(), t.floats(), t.longs())));
        List<Node> nodes = plain.nodes().stream().map(n -> new Node("/bert" + n.name(), n.opType(),
                n.inputs().stream().map(in -> rename.getOrDefault(in, in)).toList(), n.outputs(),
                n.tensorAttributes(), n.floatAttrs(), n.intAttrs())).toList();

        OnnxBertImport.Imported expected = OnnxBertImport.read(plain, LABEL);
        OnnxBertImport.Imported imported = OnnxBertImport.read(
                new OnnxGraph(nodes, inits, plain.inputs(), plain.outputs()), LABEL);
        assertEquals(expected.config(), imported.config());
        assertEquals(expected.tensors(), imported.tensors());
    }

    @Test
    void headsFallBackOnTheScoreScaleAndMustAgreeWithTheHeadSplit() {
        // without the head split constants, sqrt(head_dim) in the Div still gives the heads
        OnnxGraph g = bert(1);
        List<Node> noSplit = g.nodes().stream().filter(n -> !n.opType().equals("Concat")).toList();
        OnnxGraph scaleOnly = new OnnxGraph(noSplit, g.initializers(), g.inputs(), g.outputs());
        assertEquals(H, OnnxBertImport.read(scaleOnly, LABEL).config().nHead());

        Exporter disagreeing = new Exporter();
        disagreeing.scoreDivisor = 2f; // sqrt(4): head_dim 4, one head, but the split says two heads
        String message = rejected(disagreeing.graph(1)).getMessage();
        assertTrue(message.contains("cannot tell the number of attention heads"), message);

        List<Node> neither = noSplit.stream().filter(n -> !n.opType().equals("Div")).toList();
        message = rejected(new OnnxGraph(neither, g.initializers(), g.inputs(), g.outputs())).getMessage();
        assertTrue(message.contains("no Reshape to (heads, head_dim)"), message);
    }

    @Test
    void epsilonAndActivationComeFromTheGraph() {
        Exporter exporter = new Exporter();
        exporter.eps = 1e-5f;
        exporter.activation = "Tanh";
        ModelConfig config = OnnxBertImport.read(exporter.graph(2), LABEL).config();
        assertEquals(1e-5, config.layerNormEps());
        assertEquals(ModelConfig.Activation.GELU_NEW, config.activation());

        Exporter unknown = new Exporter();
        unknown.activation = "Sigmoid";
        assertTrue(rejected(unknown.graph(1)).getMessage().contains("cannot tell the MLP activation"));
    }

    @Test
    void aMatMulWeightThatCannotBePlacedIsReported() {
        OnnxGraph g = bert(1);
        List<Node> swapped = g.nodes().stream().map(n -> n.name().equals("/encoder/layer.0/attention/self/key/MatMul")
                ? new Node(n.name(), n.opType(), List.of(n.inputs().get(1), n.inputs().get(0)), n.outputs(),
                        n.tensorAttributes(), n.floatAttrs(), n.intAttrs())
                : n).toList();
        String message = rejected(new OnnxGraph(swapped, g.initializers(), g.inputs(), g.outputs())).getMessage();
        assertTrue(message.contains("cannot place the weight of MatMul node '/encoder/layer.0/attention/self/key/MatMul'"),
                message);
    }
}
