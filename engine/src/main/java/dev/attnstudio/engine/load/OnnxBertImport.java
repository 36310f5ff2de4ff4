package dev.attnstudio.engine.load;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.OnnxGraph;
import dev.attnstudio.engine.io.OnnxGraph.Node;
import dev.attnstudio.engine.io.OnnxGraph.Tensor;
import dev.attnstudio.engine.io.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an ONNX export of a Hugging Face {@code BertModel} into the tensors of its {@code model.safetensors}
 * (same names, same layouts, float32) and its geometry, so the BERT loader can run it.
 *
 * <p>What the PyTorch exporter writes, as seen in the all-MiniLM-L6-v2 and bge-small-en-v1.5 files (opset 11,
 * unfused): embeddings, biases and LayerNorm parameters are initializers that keep their Hugging Face names, but
 * every Linear weight is an anonymous initializer ({@code onnx::MatMul_787}) stored transposed, [in, out]. Node
 * names keep the module path, so each tensor is placed by the node that consumes it:
 * <ul>
 *   <li>{@code /encoder/layer.N/attention/self/query/MatMul} reads {@code encoder.layer.N.attention.self.query.weight},
 *       transposed back to [out, in] (likewise key, value, attention/output/dense, intermediate/dense,
 *       output/dense); the sibling {@code .../query/Add} reads the bias;</li>
 *   <li>{@code .../LayerNorm/Mul} and the Add of a 1-D tensor in the same scope read the LayerNorm weight and
 *       bias (a fused {@code LayerNormalization} node: inputs 1 and 2);</li>
 *   <li>{@code /embeddings/word_embeddings/Gather} (and position, token type) reads the table, input 0.</li>
 * </ul>
 * Placement by node wins for MatMul weights (which must be transposed); initializers that already carry a Hugging
 * Face name are taken as they are. Constant nodes count like initializers. A leading {@code bert.} (in tensor
 * names) or {@code /bert} (in node names) is dropped. Anything else (the int64 {@code embeddings.position_ids}
 * buffer, a pooler) is left out.
 *
 * <p>Geometry comes from the weights, except what only the graph knows:
 * <ul>
 *   <li>heads: the {@code Reshape} in {@code /encoder/layer.0/attention/self/} that splits q, k, v into
 *       (batch, seq, heads, head_dim) (a 4-element constant, or a {@code Concat} ending in two constants; both
 *       files give (12, 32)), cross-checked against the score scale ({@code .../attention/self/Div} by
 *       sqrt(head_dim) = 5.656854, or a single {@code Mul} by its inverse), or a {@code num_heads} attribute;</li>
 *   <li>LayerNorm epsilon: the scalar added to the variance ({@code .../LayerNorm/Add}, 1e-12 in both files), or
 *       a fused node's {@code epsilon}; all LayerNorms must agree; 1e-12 (BERT's default) when none is found;</li>
 *   <li>activation: {@code Erf} in the MLP is exact GELU; {@code Tanh} is the tanh approximation
 *       ({@code gelu_new}); {@code Relu} is ReLU.</li>
 * </ul>
 *
 * <p>Every problem is a {@link ModelFormatException} naming the file and what is missing or wrong; all missing
 * tensors and wrong shapes are listed at once.
 */
public final class OnnxBertImport {

    private static final System.Logger LOG = System.getLogger(OnnxBertImport.class.getName());

    /** Hugging Face's BERT default, used when the graph shows no epsilon. */
    private static final double DEFAULT_EPS = 1e-12;
    /** How many problems one message lists before summarising the rest. */
    private static final int MAX_LISTED = 12;

    /** Linear layers inside a block: module path relative to {@code encoder.layer.N}. */
    private static final Pattern LINEAR = Pattern.compile(
            "encoder\\.layer\\.\\d+\\.(attention\\.self\\.(query|key|value)|attention\\.output\\.dense"
                    + "|intermediate\\.dense|output\\.dense)");
    private static final Pattern LAYER_NORM = Pattern.compile(
            "embeddings\\.LayerNorm|encoder\\.layer\\.\\d+\\.(attention\\.output|output)\\.LayerNorm");
    private static final Pattern EMBEDDING = Pattern.compile("embeddings\\.(word|position|token_type)_embeddings");
    private static final Pattern LAYER_INDEX = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    private OnnxBertImport() {
    }

    /**
     * A BERT ready for the engine's loader.
     *
     * @param config  the geometry read off the weights and the graph
     * @param tensors float32 tensors by Hugging Face name, in model order (embeddings, then each layer's 16);
     *                tensors that need no transposition share their value arrays with the graph
     */
    public record Imported(ModelConfig config, Map<String, SafeTensors.Tensor> tensors) {

        /** Checks the fields and keeps the map unmodifiable, in order. */
        public Imported {
            Objects.requireNonNull(config, "config");
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        }
    }

    /**
     * Maps an ONNX BERT encoder to Hugging Face tensors and a config.
     *
     * @param graph the parsed ONNX file
     * @param label the file (or resource) the graph came from, for messages
     * @return the tensors and geometry
     * @throws ModelFormatException if the graph is not a BERT encoder this importer understands: the message
     *                              names what is missing or inconsistent
     */
    public static Imported read(OnnxGraph graph, Path label) {
        return new Importer(graph, label).run();
    }

    /** Where a Hugging Face tensor comes from: a graph value, and whether it is stored [in, out]. */
    private record Source(String value, Tensor tensor, boolean transposed, String via) {
    }

    private static final class Importer {

        private final OnnxGraph graph;
        private final Path label;
        /** Constant values by name: initializers and Constant node outputs. */
        private final Map<String, Tensor> constants = new HashMap<>();
        /** The node writing each value. */
        private final Map<String, Node> producers = new HashMap<>();
        /** Hugging Face name -> source, filled from nodes first, then from named initializers. */
        private final Map<String, Source> sources = new LinkedHashMap<>();

        Importer(OnnxGraph graph, Path label) {
            this.graph = Objects.requireNonNull(graph, "graph");
            this.label = Objects.requireNonNull(label, "label");
            constants.putAll(graph.initializers());
            for (Node node : graph.nodes()) {
                for (String out : node.outputs()) {
                    producers.put(out, node);
                }
                Tensor value = node.tensorAttributes().get("value");
                if (node.opType().equals("Constant") && value != null && node.outputs().size() == 1) {
                    constants.put(node.outputs().get(0), value);
                }
            }
        }

        Imported run() {
            placeByNodes();
            placeNamedInitializers();
            Source word = sources.get("embeddings.word_embeddings.weight");
            if (word == null) {
                throw problem("not a BERT encoder: no embeddings.word_embeddings.weight");
            }

            // Geometry from the weights (Hugging Face layouts).
            long[] wordShape = hfShape(word);
            int vocab = dim(wordShape, 0, "embeddings.word_embeddings.weight");
            int dModel = dim(wordShape, 1, "embeddings.word_embeddings.weight");
            int nLayer = layerCount();
            int positions = rows("embeddings.position_embeddings.weight");
            int typeVocab = rows("embeddings.token_type_embeddings.weight");
            int dMlp = rows("encoder.layer.0.intermediate.dense.weight");

            List<String> names = expectedNames(nLayer);
            checkComplete(names, expectedShapes(nLayer, dModel, dMlp, vocab, positions, typeVocab));

            int nHead = heads(dModel);
            double eps = epsilon();
            ModelConfig.Activation activation = activation();
            ModelConfig config;
            try {
                config = new ModelConfig(ModelConfig.Architecture.BERT, nLayer, nHead, dModel, dMlp, positions, vocab,
                        typeVocab, eps, activation);
            } catch (IllegalArgumentException e) {
                throw problem("inconsistent geometry: " + e.getMessage());
            }

            Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
            for (String name : names) {
                tensors.put(name, toHuggingFace(sources.get(name)));
            }
            LOG.log(System.Logger.Level.DEBUG, () -> label + ": imported " + tensors.size() + " tensors, " + config);
            return new Imported(config, tensors);
        }

        // ---- placing tensors ----

        /** Names the tensors each recognised node reads, from the node's module path. */
        private void placeByNodes() {
            for (Node node : graph.nodes()) {
                String module = modulePath(node.name());
                if (module == null) {
                    continue;
                }
                boolean linear = LINEAR.matcher(module).matches();
                if (linear && node.opType().equals("MatMul")) {
                    // y = x W with W [in, out]; a weight on the left would not be a Linear layer
                    if (node.inputs().size() != 2 || constant(node.inputs().get(1)) == null) {
                        if (node.inputs().stream().anyMatch(in -> constant(in) != null)) {
                            throw problem("cannot place the weight of MatMul node '" + node.name()
                                    + "': expected it as the second input");
                        }
                        continue;
                    }
                    place(module + ".weight", node.inputs().get(1), true, node);
                } else if (linear && node.opType().equals("Add")) {
                    vectorInput(node).ifPresent(v -> place(module + ".bias", v, false, node));
                } else if (LAYER_NORM.matcher(module).matches()) {
                    switch (node.opType()) {
                        case "Mul" -> vectorInput(node).ifPresent(v -> place(module + ".weight", v, false, node));
                        case "Add" -> vectorInput(node).ifPresent(v -> place(module + ".bias", v, false, node));
                        case "LayerNormalization" -> {
                            if (node.inputs().size() >= 3) {
                                place(module + ".weight", node.inputs().get(1), false, node);
                                place(module + ".bias", node.inputs().get(2), false, node);
                            }
                        }
                        default -> { }
                    }
                } else if (EMBEDDING.matcher(module).matches() && node.opType().equals("Gather")
                        && !node.inputs().isEmpty() && constant(node.inputs().get(0)) != null) {
                    place(module + ".weight", node.inputs().get(0), false, node);
                }
            }
        }

        /** Adds initializers that already carry a Hugging Face name and were not placed through a node. */
        private void placeNamedInitializers() {
            Set<String> placed = new TreeSet<>();
            sources.values().forEach(s -> placed.add(s.value()));
            for (Tensor t : graph.initializers().values()) {
                String name = stripBert(t.name());
                if (placed.contains(t.name()) || t.dataType() != OnnxGraph.FLOAT
                        || !(name.startsWith("embeddings.") || name.startsWith("encoder."))) {
                    continue;
                }
                Source existing = sources.get(name);
                if (existing != null) {
                    throw problem("two tensors claim '" + name + "': initializer '" + t.name() + "' and '"
                            + existing.value() + "' (read by node '" + existing.via() + "')");
                }
                sources.put(name, new Source(t.name(), t, false, "its name"));
            }
        }

        private void place(String hfName, String value, boolean transposed, Node via) {
            Tensor t = constant(value);
            if (t == null) {
                return; // a computed input, not a weight
            }
            if (t.dataType() != OnnxGraph.FLOAT) {
                throw problem("tensor '" + value + "' read as " + hfName + " by node '" + via.name()
                        + "' has ONNX data type " + t.dataType() + "; only float32 (1) weights are supported"
                        + " (int8-quantized exports cannot be imported; use the fp32 file)");
            }
            Source previous = sources.putIfAbsent(hfName, new Source(value, t, transposed, via.name()));
            if (previous != null && !previous.value().equals(value)) {
                throw problem("two tensors claim '" + hfName + "': '" + previous.value() + "' (read by node '"
                        + previous.via() + "') and '" + value + "' (read by node '" + via.name() + "')");
            }
        }

        /** The input of an elementwise node that is a 1-D constant with more than one element (a bias or scale). */
        private Optional<String> vectorInput(Node node) {
            return node.inputs().stream()
                    .filter(in -> {
                        Tensor t = constant(in);
                        return t != null && t.dims().length == 1 && t.elementCount() > 1;
                    })
                    .findFirst();
        }

        // ---- checking ----

        private int layerCount() {
            TreeSet<Integer> layers = new TreeSet<>();
            for (String name : sources.keySet()) {
                Matcher m = LAYER_INDEX.matcher(name);
                if (m.find()) {
                    layers.add(Integer.parseInt(m.group(1)));
                }
            }
            if (layers.isEmpty()) {
                throw problem("not a BERT encoder: no encoder.layer.N tensors");
            }
            return layers.last() + 1; // gaps show up as missing tensors
        }

        private static List<String> expectedNames(int nLayer) {
            List<String> names = new ArrayList<>(List.of(
                    "embeddings.word_embeddings.weight",
                    "embeddings.position_embeddings.weight",
                    "embeddings.token_type_embeddings.weight",
                    "embeddings.LayerNorm.weight",
                    "embeddings.LayerNorm.bias"));
            for (int layer = 0; layer < nLayer; layer++) {
                String p = "encoder.layer." + layer + ".";
                for (String module : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                        "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense",
                        "output.LayerNorm")) {
                    names.add(p + module + ".weight");
                    names.add(p + module + ".bias");
                }
            }
            return names;
        }

        /** Hugging Face shapes: Linear weights [out, in], biases and LayerNorm parameters [width]. */
        private static Map<String, long[]> expectedShapes(int nLayer, int d, int dMlp, int vocab, int positions,
                                                         int typeVocab) {
            Map<String, long[]> shapes = new HashMap<>();
            shapes.put("embeddings.word_embeddings.weight", new long[] {vocab, d});
            shapes.put("embeddings.position_embeddings.weight", new long[] {positions, d});
            shapes.put("embeddings.token_type_embeddings.weight", new long[] {typeVocab, d});
            shapes.put("embeddings.LayerNorm.weight", new long[] {d});
            shapes.put("embeddings.LayerNorm.bias", new long[] {d});
            for (int layer = 0; layer < nLayer; layer++) {
                String p = "encoder.layer." + layer + ".";
                for (String proj : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                        "attention.output.dense")) {
                    shapes.put(p + proj + ".weight", new long[] {d, d});
                    shapes.put(p + proj + ".bias", new long[] {d});
                }
                for (String norm : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
                    shapes.put(p + norm + ".weight", new long[] {d});
                    shapes.put(p + norm + ".bias", new long[] {d});
                }
                shapes.put(p + "intermediate.dense.weight", new long[] {dMlp, d});
                shapes.put(p + "intermediate.dense.bias", new long[] {dMlp});
                shapes.put(p + "output.dense.weight", new long[] {d, dMlp});
                shapes.put(p + "output.dense.bias", new long[] {d});
            }
            return shapes;
        }

        private void checkComplete(List<String> names, Map<String, long[]> shapes) {
            List<String> problems = new ArrayList<>();
            for (String name : names) {
                Source s = sources.get(name);
                if (s == null) {
                    problems.add("missing initializer '" + name + "'");
                } else if (!Arrays.equals(hfShape(s), shapes.get(name))) {
                    problems.add("'" + name + "' (from '" + s.value() + "') has shape "
                            + Arrays.toString(hfShape(s)) + (s.transposed() ? " after transposing" : "")
                            + ", expected " + Arrays.toString(shapes.get(name)));
                }
            }
            if (!problems.isEmpty()) {
                if (graph.nodes().stream().anyMatch(n -> n.opType().equals("MatMulInteger"))) {
                    problems.add(0, "this is an int8-quantized export (MatMulInteger), which cannot be imported;"
                            + " use the fp32 file");
                }
                String listed = String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size())));
                throw problem(problems.size() > MAX_LISTED
                        ? listed + "; and " + (problems.size() - MAX_LISTED) + " more" : listed);
            }
        }

        // ---- what only the graph knows ----

        /** Heads from the q/k/v head split, cross-checked against the score scale. */
        private int heads(int dModel) {
            for (Node node : graph.nodes()) {
                Long n = node.intAttrs().get("num_heads"); // fused attention (com.microsoft Attention and kin)
                if (n != null && n > 0 && dModel % n == 0) {
                    return Math.toIntExact(n);
                }
            }
            String scope = "encoder.layer.0.attention.self";
            TreeSet<Long> fromReshape = new TreeSet<>();
            TreeSet<Long> fromScale = new TreeSet<>();
            for (Node node : graph.nodes()) {
                String module = modulePath(node.name());
                if (!scope.equals(module)) {
                    continue;
                }
                switch (node.opType()) {
                    case "Reshape" -> {
                        long[] target = reshapeTarget(node);
                        // (batch, seq, heads, head_dim): the split of q, k or v; the merge back is 3-D
                        if (target != null && target.length == 4 && target[2] > 0 && target[3] > 0
                                && target[2] * target[3] == dModel) {
                            fromReshape.add(target[2]);
                        }
                    }
                    case "Div", "Mul" -> {
                        Float c = scalarInput(node);
                        if (c != null && c > 0) {
                            double headDim = node.opType().equals("Div") ? (double) c * c : 1.0 / ((double) c * c);
                            long rounded = Math.round(headDim);
                            if (rounded > 0 && Math.abs(headDim - rounded) < 1e-3 * rounded
                                    && dModel % rounded == 0) {
                                fromScale.add(dModel / rounded);
                            }
                        }
                    }
                    default -> { }
                }
            }
            if (fromReshape.size() > 1 || fromScale.size() > 1
                    || !fromReshape.isEmpty() && !fromScale.isEmpty() && !fromReshape.equals(fromScale)) {
                throw problem("cannot tell the number of attention heads: the head split under '/" + scope.replace('.', '/')
                        + "/' says " + fromReshape + ", the score scale says " + fromScale);
            }
            if (!fromReshape.isEmpty()) {
                return Math.toIntExact(fromReshape.first());
            }
            if (!fromScale.isEmpty()) {
                return Math.toIntExact(fromScale.first());
            }
            throw problem("cannot tell the number of attention heads: no Reshape to (heads, head_dim) and no score"
                    + " scale (Div by sqrt(head_dim)) under node scope '/encoder/layer.0/attention/self/'");
        }

        /** The constant target shape of a Reshape: a constant tensor, or a Concat of constants (others -1). */
        private long[] reshapeTarget(Node reshape) {
            if (reshape.inputs().size() < 2) {
                return null;
            }
            String shapeInput = reshape.inputs().get(1);
            Tensor direct = constant(shapeInput);
            if (direct != null) {
                return direct.longs();
            }
            Node concat = producers.get(shapeInput);
            if (concat == null || !concat.opType().equals("Concat")) {
                return null;
            }
            List<Long> parts = new ArrayList<>();
            for (String in : concat.inputs()) {
                Tensor t = constant(in);
                if (t == null) {
                    parts.add(-1L); // a dynamic size (batch, sequence), one element
                } else if (t.longs() != null) {
                    for (long v : t.longs()) {
                        parts.add(v);
                    }
                } else {
                    return null;
                }
            }
            return parts.stream().mapToLong(Long::longValue).toArray();
        }

        /** LayerNorm epsilon: every LayerNorm in the graph must use the same one. */
        private double epsilon() {
            Map<Float, String> found = new LinkedHashMap<>();
            for (Node node : graph.nodes()) {
                String module = modulePath(node.name());
                if (module == null || !LAYER_NORM.matcher(module).matches()) {
                    continue;
                }
                if (node.opType().equals("LayerNormalization")) {
                    found.putIfAbsent(node.floatAttrs().getOrDefault("epsilon", 1e-5f), node.name());
                } else if (node.opType().equals("Add")) {
                    Float eps = scalarInput(node); // the Add of the bias has a 1-D input instead
                    if (eps != null) {
                        found.putIfAbsent(eps, node.name());
                    }
                }
            }
            if (found.size() > 1) {
                throw problem("the LayerNorms use different epsilons: " + found + " (by first node)");
            }
            if (found.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, () -> label + ": no LayerNorm epsilon in the graph; using " + DEFAULT_EPS);
                return DEFAULT_EPS;
            }
            // The graph holds a float32; report the shortest decimal that rounds to it (1e-12, not 9.99999996e-13).
            return Double.parseDouble(Float.toString(found.keySet().iterator().next()));
        }

        /** The MLP non-linearity, from the operators inside {@code intermediate}. */
        private ModelConfig.Activation activation() {
            Set<String> ops = new TreeSet<>();
            for (Node node : graph.nodes()) {
                String module = modulePath(node.name());
                if (module != null && module.matches("encoder\\.layer\\.\\d+\\.intermediate(\\..*)?")) {
                    ops.add(node.opType());
                }
            }
            if (ops.contains("Erf")) {
                return ModelConfig.Activation.GELU;
            }
            if (ops.contains("Tanh")) {
                LOG.log(System.Logger.Level.INFO, () -> label + ": the MLP uses Tanh and no Erf: tanh-approximated"
                        + " GELU (gelu_new), not BERT's usual exact GELU");
                return ModelConfig.Activation.GELU_NEW;
            }
            if (ops.contains("Relu")) {
                LOG.log(System.Logger.Level.INFO, () -> label + ": the MLP uses Relu, not BERT's usual GELU");
                return ModelConfig.Activation.RELU;
            }
            throw problem("cannot tell the MLP activation: no Erf, Tanh or Relu node under '/encoder/layer.N/intermediate/'"
                    + (ops.isEmpty() ? " (no nodes there)" : " (operators there: " + ops + ")"));
        }

        // ---- helpers ----

        /** A value's constant tensor (initializer or Constant node output), or null if it is computed. */
        private Tensor constant(String value) {
            return constants.get(value);
        }

        /** The float value of a node's single-element float constant input, or null. */
        private Float scalarInput(Node node) {
            for (String in : node.inputs()) {
                Tensor t = constant(in);
                if (t != null && t.floats() != null && t.floats().length == 1) {
                    return t.floats()[0];
                }
            }
            return null;
        }

        private int rows(String name) {
            Source s = sources.get(name);
            if (s == null) {
                throw problem("missing initializer '" + name + "'");
            }
            return dim(hfShape(s), 0, name);
        }

        private int dim(long[] shape, int axis, String name) {
            if (shape.length != 2 || shape[axis] <= 0 || shape[axis] > Integer.MAX_VALUE) {
                throw problem("'" + name + "' has shape " + Arrays.toString(shape) + ", expected a non-empty matrix");
            }
            return (int) shape[axis];
        }

        private ModelFormatException problem(String problem) {
            return new ModelFormatException(label, problem);
        }
    }

    // ---- names and layouts ----

    /**
     * The module path of a node, from its name: {@code /encoder/layer.0/attention/self/query/MatMul} gives
     * {@code encoder.layer.0.attention.self.query}. Null for names without a scope.
     */
    static String modulePath(String nodeName) {
        int last = nodeName.lastIndexOf('/');
        if (!nodeName.startsWith("/") || last <= 0) {
            return null;
        }
        return stripBert(nodeName.substring(1, last).replace('/', '.'));
    }

    private static String stripBert(String name) {
        return name.startsWith("bert.") ? name.substring("bert.".length()) : name;
    }

    private static long[] hfShape(Source s) {
        long[] dims = s.tensor().dims();
        return s.transposed() && dims.length == 2 ? new long[] {dims[1], dims[0]} : dims;
    }

    private static SafeTensors.Tensor toHuggingFace(Source s) {
        Tensor t = s.tensor();
        long[] dims = t.dims();
        if (!s.transposed()) {
            return new SafeTensors.Tensor(t.floats(), dims, SafeTensors.DType.F32);
        }
        int in = (int) dims[0];
        int out = (int) dims[1];
        return new SafeTensors.Tensor(transpose(t.floats(), in, out), new long[] {out, in}, SafeTensors.DType.F32);
    }

    /** [rows, cols] row-major -> [cols, rows] row-major. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[base + c];
            }
        }
        return t;
    }
}
