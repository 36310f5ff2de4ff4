package dev.attnstudio.samples;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Edits an ONNX model's bytes for tests, field by field, without generated classes. Everything not edited is
 * copied byte for byte. Field numbers from onnx.proto: ModelProto.graph = 7; GraphProto.initializer = 5,
 * GraphProto.output = 12; ValueInfoProto name = 1, type = 2; TypeProto.tensor_type = 1; TypeProto.Tensor
 * elem_type = 1; TensorProto.name = 8.
 */
final class OnnxProto {

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_OUTPUT = 12;
    private static final int TENSOR_NAME = 8;
    private static final int FLOAT = 1;

    private OnnxProto() {
    }

    /**
     * Declares intermediate values as extra float32 graph outputs, so a runtime returns them (ONNX Runtime wants
     * an element type on every graph output; the shape may stay unknown).
     */
    static byte[] withFloatOutputs(byte[] model, List<String> names) {
        return editGraph(model, (graph, out) -> {
            out.writeRawBytes(graph);
            for (String name : names) {
                out.writeByteArray(GRAPH_OUTPUT, valueInfo(name));
            }
        });
    }

    /** Drops the initializer with this name (and nothing else: the nodes still read it). */
    static byte[] withoutInitializer(byte[] model, String name) {
        int[] dropped = {0};
        byte[] edited = editGraph(model, (graph, out) -> copyFields(graph, out, (field, payload) -> {
            boolean drop = field == GRAPH_INITIALIZER && name.equals(tensorName(payload));
            dropped[0] += drop ? 1 : 0;
            return !drop;
        }));
        if (dropped[0] != 1) {
            throw new IllegalArgumentException("the model has " + dropped[0] + " initializers named '" + name + "'");
        }
        return edited;
    }

    /** ValueInfoProto { name, type { tensor_type { elem_type: FLOAT } } }. */
    private static byte[] valueInfo(String name) {
        return message(out -> {
            out.writeString(1, name);
            out.writeByteArray(2, message(type -> type.writeByteArray(1, message(tensor -> tensor.writeInt32(1, FLOAT)))));
        });
    }

    /** The name of a TensorProto, or "" if it has none. */
    private static String tensorName(byte[] tensor) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(tensor);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == TENSOR_NAME
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    return in.readStringRequireUtf8();
                }
                in.skipField(tag);
            }
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface GraphEdit {
        void write(byte[] graph, CodedOutputStream out) throws IOException;
    }

    private interface FieldFilter {
        /** Whether to keep a length-delimited field of the graph. */
        boolean keep(int field, byte[] payload);
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    /** Rewrites ModelProto.graph with {@code edit}; every other field of the model is copied as it is. */
    private static byte[] editGraph(byte[] model, GraphEdit edit) {
        return message(out -> {
            CodedInputStream in = CodedInputStream.newInstance(model);
            in.setSizeLimit(Integer.MAX_VALUE);
            boolean found = false;
            while (true) {
                int start = in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                if (WireFormat.getTagFieldNumber(tag) == MODEL_GRAPH
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    byte[] graph = in.readByteArray();
                    out.writeByteArray(MODEL_GRAPH, message(g -> edit.write(graph, g)));
                    found = true;
                } else {
                    in.skipField(tag);
                    out.writeRawBytes(model, start, in.getTotalBytesRead() - start);
                }
            }
            if (!found) {
                throw new IllegalArgumentException("not an ONNX model: no graph");
            }
        });
    }

    /** Copies a message's fields, leaving out the length-delimited ones the filter rejects. */
    private static void copyFields(byte[] message, CodedOutputStream out, FieldFilter filter) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(message);
        in.setSizeLimit(Integer.MAX_VALUE);
        while (true) {
            int start = in.getTotalBytesRead();
            int tag = in.readTag();
            if (tag == 0) {
                return;
            }
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                byte[] payload = in.readByteArray();
                if (!filter.keep(WireFormat.getTagFieldNumber(tag), payload)) {
                    continue;
                }
            } else {
                in.skipField(tag);
            }
            out.writeRawBytes(message, start, in.getTotalBytesRead() - start);
        }
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
