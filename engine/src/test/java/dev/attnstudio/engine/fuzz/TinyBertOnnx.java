package dev.attnstudio.engine.fuzz;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A one-layer BERT encoder as ONNX bytes, laid out the way torch.onnx.export writes Hugging Face's BertModel (opset
 * 11, unfused; anonymous [in, out] MatMul weights read by {@code .../query/MatMul}, LayerNorm spelled out, heads
 * split by a Reshape whose shape ends in two constants, GELU through Erf): a seed the ONNX importer accepts, so
 * mutations of it reach the importer's own checks, not only the protobuf reader's. Geometry: d_model 4, 2 heads of
 * 2, MLP 8, vocabulary 10, 6 positions, 2 token types.
 */
public final class TinyBertOnnx {

    private static final int D = 4;
    private static final int H = 2;
    private static final int HD = 2;
    private static final int F = 8;
    private static final int V = 10;
    private static final int P = 6;
    private static final int T = 2;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final Random random = new Random(11);
    private int anonymous = 780;

    private TinyBertOnnx() {
    }

    /** The model file's bytes. */
    public static byte[] bytes() {
        TinyBertOnnx b = new TinyBertOnnx();
        String x = b.embeddings();
        x = b.layer(0, x);
        return b.model(x);
    }

    private String embeddings() {
        floats("embeddings.word_embeddings.weight", V, D);
        floats("embeddings.position_embeddings.weight", P, D);
        floats("embeddings.token_type_embeddings.weight", T, D);
        String words = node("/embeddings/word_embeddings/Gather", "Gather", "embeddings.word_embeddings.weight",
                "input_ids");
        String types = node("/embeddings/token_type_embeddings/Gather", "Gather",
                "embeddings.token_type_embeddings.weight", "token_type_ids");
        String positions = node("/embeddings/position_embeddings/Gather", "Gather",
                "embeddings.position_embeddings.weight", "position_ids");
        return layerNorm("/embeddings/LayerNorm", node("/embeddings/Add_1", "Add",
                node("/embeddings/Add", "Add", words, types), positions));
    }

    private String layer(int n, String x) {
        String self = "/encoder/layer." + n + "/attention/self";
        String q = split(self, linear(self + "/query", x, D, D), "_q");
        String k = split(self, linear(self + "/key", x, D, D), "_k");
        String v = split(self, linear(self + "/value", x, D, D), "_v");
        String scores = node(self + "/MatMul", "MatMul", q, node(self + "/Transpose", "Transpose", k));
        String scaled = node(self + "/Div", "Div", scores, scalar(self + "/Constant_12", (float) Math.sqrt(HD)));
        String mixed = node(self + "/MatMul_1", "MatMul", node(self + "/Softmax", "Softmax", scaled), v);
        String merged = node(self + "/Reshape_3", "Reshape", mixed, ints(self + "/Constant_15", 0, 0, D));
        String att = "/encoder/layer." + n + "/attention/output";
        String h = layerNorm(att + "/LayerNorm", node(att + "/Add", "Add", linear(att + "/dense", merged, D, D), x));
        String mid = "/encoder/layer." + n + "/intermediate";
        String pre = linear(mid + "/dense", h, D, F);
        String act = mid + "/intermediate_act_fn";
        String g = node(act + "/Erf", "Erf", node(act + "/Div", "Div", pre, scalar(act + "/Constant", 1.4142135f)));
        String mlp = node(act + "/Mul", "Mul", pre, g);
        String out = "/encoder/layer." + n + "/output";
        return layerNorm(out + "/LayerNorm", node(out + "/Add", "Add", linear(out + "/dense", mlp, F, D), h));
    }

    private String linear(String scope, String x, int in, int out) {
        String w = "onnx::MatMul_" + anonymous++;
        floats(w, in, out);
        String bias = hfName(scope) + ".bias";
        floats(bias, out);
        return node(scope + "/Add", "Add", bias, node(scope + "/MatMul", "MatMul", x, w));
    }

    private String layerNorm(String scope, String x) {
        String weight = hfName(scope) + ".weight";
        String bias = hfName(scope) + ".bias";
        floats(weight, D);
        floats(bias, D);
        String mean = node(scope + "/ReduceMean", "ReduceMean", x);
        String centred = node(scope + "/Sub", "Sub", x, mean);
        String var = node(scope + "/ReduceMean_1", "ReduceMean",
                node(scope + "/Pow", "Pow", centred, scalar(scope + "/Constant", 2)));
        String std = node(scope + "/Sqrt", "Sqrt", node(scope + "/Add", "Add", var, scalar(scope + "/Constant_1", 1e-12f)));
        String normed = node(scope + "/Div", "Div", centred, std);
        return node(scope + "/Add_1", "Add", node(scope + "/Mul", "Mul", normed, weight), bias);
    }

    private String split(String scope, String x, String suffix) {
        String batch = node(scope + "/Unsqueeze" + suffix, "Unsqueeze", x);
        String seq = node(scope + "/Unsqueeze_1" + suffix, "Unsqueeze", x);
        String shape = node(scope + "/Concat" + suffix, "Concat", batch, seq, ints(scope + "/Constant_2" + suffix, H),
                ints(scope + "/Constant_3" + suffix, HD));
        return node(scope + "/Reshape" + suffix, "Reshape", x, shape);
    }

    private static String hfName(String scope) {
        return scope.substring(1).replace('/', '.');
    }

    // ---- protobuf (field numbers of onnx.proto, as OnnxGraph reads them) ----

    private String node(String name, String op, String... inputs) {
        String out = name + "_output_0";
        nodes.add(message(o -> {
            for (String in : inputs) {
                o.writeString(1, in);
            }
            o.writeString(2, out);
            o.writeString(3, name);
            o.writeString(4, op);
        }));
        return out;
    }

    private String constant(String name, byte[] tensor) {
        String out = name + "_output_0";
        byte[] attribute = message(o -> {
            o.writeString(1, "value");
            o.writeByteArray(5, tensor);
            o.writeInt32(20, 4); // TENSOR
        });
        nodes.add(message(o -> {
            o.writeString(2, out);
            o.writeString(3, name);
            o.writeString(4, "Constant");
            o.writeByteArray(5, attribute);
        }));
        return out;
    }

    private String scalar(String name, float v) {
        return constant(name, tensor("", FLOAT, new long[0], le(4).putFloat(v).array()));
    }

    private String ints(String name, long... v) {
        ByteBuffer b = le(8 * v.length);
        for (long x : v) {
            b.putLong(x);
        }
        return constant(name, tensor("", INT64, new long[] {v.length}, b.array()));
    }

    private void floats(String name, long... dims) {
        int n = 1;
        for (long d : dims) {
            n *= (int) d;
        }
        ByteBuffer b = le(4 * n);
        for (int i = 0; i < n; i++) {
            b.putFloat(random.nextFloat() - 0.5f);
        }
        initializers.add(tensor(name, FLOAT, dims, b.array()));
    }

    private static byte[] tensor(String name, int type, long[] dims, byte[] raw) {
        return message(o -> {
            for (long d : dims) {
                o.writeInt64(1, d);
            }
            o.writeInt32(2, type);
            o.writeString(8, name);
            o.writeByteArray(9, raw);
        });
    }

    private byte[] model(String output) {
        byte[] graph = message(o -> {
            for (byte[] n : nodes) {
                o.writeByteArray(1, n);
            }
            o.writeString(2, "tiny-bert");
            for (byte[] t : initializers) {
                o.writeByteArray(5, t);
            }
            for (String in : new String[] {"input_ids", "attention_mask", "token_type_ids"}) {
                o.writeByteArray(11, message(v -> v.writeString(1, in)));
            }
            o.writeByteArray(12, message(v -> v.writeString(1, output)));
        });
        return message(o -> {
            o.writeInt64(1, 7); // ir_version
            o.writeByteArray(7, graph);
            o.writeByteArray(8, message(s -> s.writeInt64(2, 11))); // opset 11
        });
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            fields.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
