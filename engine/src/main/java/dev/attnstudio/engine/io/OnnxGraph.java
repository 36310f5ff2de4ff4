package dev.attnstudio.engine.io;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parts of an <a href="https://onnx.ai">ONNX</a> model a weight importer needs: the nodes (name, operator,
 * wiring, scalar and tensor attributes), the initializers, and the graph's input and output names.
 *
 * <p>The file is read field by field with protobuf's {@link CodedInputStream}, without generated classes. Field
 * numbers follow {@code onnx.proto}: ModelProto.graph = 7; GraphProto node = 1, initializer = 5, input = 11,
 * output = 12; NodeProto input = 1, output = 2, name = 3, op_type = 4, attribute = 5; AttributeProto name = 1,
 * f = 2, i = 3, t = 5, type = 20; TensorProto dims = 1, data_type = 2, float_data = 4, int32_data = 5,
 * int64_data = 7, name = 8, raw_data = 9, double_data = 10, external_data = 13, data_location = 14. Every other
 * field (opsets, doc strings, value types, sub-graphs, string and list attributes) is skipped.
 *
 * <p>The whole file is held in memory while it is parsed (an ONNX protobuf is at most 2 GiB; larger models keep
 * their weights as external data, which is rejected). Every length prefix is checked against the bytes that are
 * left before anything is allocated, so a truncated or corrupt file gives a {@link ModelFormatException} naming
 * the file, never an {@link OutOfMemoryError}.
 *
 * @param nodes        the graph's nodes in file order (topological order for a valid model)
 * @param initializers the graph's constant tensors by name, in file order
 * @param inputs       names of the graph inputs (older files list the initializers here too)
 * @param outputs      names of the graph outputs
 */
public record OnnxGraph(List<Node> nodes, Map<String, Tensor> initializers, List<String> inputs,
                        List<String> outputs) {

    /** TensorProto.DataType FLOAT: decoded into {@link Tensor#floats()}. */
    public static final int FLOAT = 1;
    /** TensorProto.DataType INT32: decoded into {@link Tensor#longs()}. */
    public static final int INT32 = 6;
    /** TensorProto.DataType INT64: decoded into {@link Tensor#longs()}. */
    public static final int INT64 = 7;
    /** TensorProto.DataType DOUBLE: narrowed into {@link Tensor#floats()}. */
    public static final int DOUBLE = 11;

    /** Copies the collections (unmodifiable; the initializer map keeps its order). */
    public OnnxGraph {
        nodes = List.copyOf(nodes);
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * One constant tensor: an initializer or a tensor attribute (such as a {@code Constant} node's value).
     *
     * <p>FLOAT and DOUBLE tensors carry {@code floats} (DOUBLE narrowed to float), INT64 and INT32 tensors carry
     * {@code longs}. Other element types (float16, bool, strings, ...) are kept with their dims only: both
     * arrays are {@code null}, which {@link #hasValues()} tells. The value arrays are shared, not copied (they
     * can be tens of megabytes): treat them as read-only.
     *
     * @param name     the tensor's name ({@code ""} for an anonymous attribute value)
     * @param dataType the TensorProto.DataType code ({@link #FLOAT}, {@link #INT64}, ...)
     * @param dims     the dimensions, outermost first ({@code []} for a scalar); copied in and out
     * @param floats   row-major values of a FLOAT or DOUBLE tensor, else {@code null}
     * @param longs    row-major values of an INT64 or INT32 tensor, else {@code null}
     */
    public record Tensor(String name, int dataType, long[] dims, float[] floats, long[] longs) {

        /** Checks the fields and copies the dims. */
        public Tensor {
            Objects.requireNonNull(name, "name");
            dims = Objects.requireNonNull(dims, "dims").clone();
            long n = elementCount(dims);
            if (floats != null && floats.length != n || longs != null && longs.length != n) {
                throw new IllegalArgumentException("tensor '" + name + "': dims " + Arrays.toString(dims)
                        + " need " + n + " values");
            }
        }

        /**
         * Returns a copy of the dims.
         *
         * @return the dimensions, outermost first
         */
        @Override
        public long[] dims() {
            return dims.clone();
        }

        /**
         * Returns whether the values were decoded (FLOAT, DOUBLE, INT64 or INT32).
         *
         * @return true when {@link #floats()} or {@link #longs()} is set
         */
        public boolean hasValues() {
            return floats != null || longs != null;
        }

        /**
         * Returns the number of elements, the product of the dims (1 for a scalar).
         *
         * @return the element count
         */
        public long elementCount() {
            return elementCount(dims);
        }

        private static long elementCount(long[] dims) {
            long n = 1;
            for (long d : dims) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
                }
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tensor t && name.equals(t.name) && dataType == t.dataType
                    && Arrays.equals(dims, t.dims) && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dataType, Arrays.hashCode(dims));
        }

        @Override
        public String toString() {
            return "Tensor[" + name + ", type " + dataType + ", dims " + Arrays.toString(dims) + "]";
        }
    }

    /**
     * One operator application.
     *
     * <p>Only scalar float, scalar int and tensor attributes are kept (ONNX attribute types FLOAT, INT and
     * TENSOR); string, list and graph attributes are skipped.
     *
     * @param name             the node's name ({@code ""} when the file has none)
     * @param opType           the operator, such as {@code MatMul}
     * @param inputs           names of the values it reads, in operator order ({@code ""} for an omitted optional
     *                         input)
     * @param outputs          names of the values it writes
     * @param tensorAttributes tensor attributes by name (a {@code Constant} node's {@code value})
     * @param floatAttrs       float attributes by name (a {@code LayerNormalization}'s {@code epsilon})
     * @param intAttrs         int attributes by name (a {@code Softmax}'s {@code axis})
     */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs,
                       Map<String, Tensor> tensorAttributes, Map<String, Float> floatAttrs,
                       Map<String, Long> intAttrs) {

        /** Copies the collections. */
        public Node {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(opType, "opType");
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            tensorAttributes = Map.copyOf(tensorAttributes);
            floatAttrs = Map.copyOf(floatAttrs);
            intAttrs = Map.copyOf(intAttrs);
        }
    }

    /**
     * Reads an ONNX model file.
     *
     * @param file the {@code .onnx} file
     * @return its graph
     * @throws ModelFormatException if the file cannot be read, is truncated or corrupt, or keeps its weights as
     *                              external data
     */
    public static OnnxGraph read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new ModelFormatException(file, "file is " + size + " bytes; an ONNX protobuf is at most 2 GiB"
                        + " (larger models keep weights as external data, which is not supported)");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read file: " + e, e);
        }
        return new Parser(file, bytes).model();
    }

    /**
     * Reads an ONNX model from a stream (such as a class-path resource), to its end. The stream is not closed.
     *
     * @param in    the model's bytes
     * @param label what to call the source in error messages (a resource name)
     * @return its graph
     * @throws ModelFormatException if the stream fails, or the model is truncated, corrupt or keeps its weights
     *                              as external data; the message starts with {@code label}
     */
    public static OnnxGraph read(InputStream in, String label) {
        Path file = Path.of(label);
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_BYTES);
            if (bytes.length == MAX_BYTES && in.read() >= 0) {
                throw new ModelFormatException(file, "stream is longer than 2 GiB, the most an ONNX protobuf holds");
            }
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read stream: " + e, e);
        }
        return new Parser(file, bytes).model();
    }

    /** The largest byte[] the JVM reliably allocates; also above protobuf's 2 GiB message limit in practice. */
    private static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    /** Parses one in-memory model. Values are decoded straight from the byte array, never copied as bytes. */
    private static final class Parser {

        private final Path file;
        private final byte[] bytes;
        private final CodedInputStream in;

        Parser(Path file, byte[] bytes) {
            this.file = file;
            this.bytes = bytes;
            this.in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(Integer.MAX_VALUE); // the default (64 MiB) is smaller than real models
        }

        OnnxGraph model() {
            try {
                in.pushLimit(bytes.length); // so getBytesUntilLimit() is always defined
                OnnxGraph graph = null;
                for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    if (field(tag) == 7 && isDelimited(tag)) {
                        if (graph != null) {
                            throw problem("the model has more than one graph");
                        }
                        int end = enter("graph");
                        graph = graph();
                        leave(end);
                    } else {
                        skip(tag);
                    }
                }
                if (graph == null) {
                    throw problem(bytes.length == 0 ? "empty file" : "no graph (not an ONNX model?)");
                }
                return graph;
            } catch (InvalidProtocolBufferException e) {
                // protobuf's own checks (bad varints, wire types, ends mid-field) name the symptom well enough
                String what = e.getMessage() != null && e.getMessage().contains("ended unexpectedly")
                        ? "truncated: " : "corrupt protobuf: ";
                throw new ModelFormatException(file, what + e.getMessage(), e);
            } catch (IOException e) {
                throw new ModelFormatException(file, "cannot parse: " + e, e);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file, "corrupt model: " + e.getMessage(), e);
            }
        }

        // ---- GraphProto ----

        private OnnxGraph graph() throws IOException {
            List<Node> nodes = new ArrayList<>();
            Map<String, Tensor> initializers = new LinkedHashMap<>();
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (delimited(tag)) {
                    case 1 -> {
                        int end = enter("node");
                        nodes.add(node());
                        leave(end);
                    }
                    case 5 -> {
                        int end = enter("initializer");
                        Tensor t = tensor();
                        leave(end);
                        if (initializers.put(t.name(), t) != null) {
                            throw problem("initializer '" + t.name() + "' is defined twice");
                        }
                    }
                    case 11 -> inputs.add(valueInfoName());
                    case 12 -> outputs.add(valueInfoName());
                    default -> skip(tag);
                }
            }
            return new OnnxGraph(nodes, initializers, inputs, outputs);
        }

        private String valueInfoName() throws IOException {
            int end = enter("value info");
            String name = "";
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (delimited(tag) == 1) {
                    name = string("value info name");
                } else {
                    skip(tag);
                }
            }
            leave(end);
            return name;
        }

        // ---- NodeProto and AttributeProto ----

        private Node node() throws IOException {
            String name = "";
            String opType = "";
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, Float> floats = new LinkedHashMap<>();
            Map<String, Long> ints = new LinkedHashMap<>();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (delimited(tag)) {
                    case 1 -> inputs.add(string("node input"));
                    case 2 -> outputs.add(string("node output"));
                    case 3 -> name = string("node name");
                    case 4 -> opType = string("op_type");
                    case 5 -> {
                        int end = enter("attribute");
                        attribute(tensors, floats, ints);
                        leave(end);
                    }
                    default -> skip(tag);
                }
            }
            return new Node(name, opType, inputs, outputs, tensors, floats, ints);
        }

        /** AttributeProto.AttributeType values this reader keeps. */
        private static final int ATTR_FLOAT = 1;
        private static final int ATTR_INT = 2;
        private static final int ATTR_TENSOR = 4;

        private void attribute(Map<String, Tensor> tensors, Map<String, Float> floats, Map<String, Long> ints)
                throws IOException {
            String name = "";
            Float f = null;
            Long i = null;
            Tensor t = null;
            int type = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = field(tag);
                int wire = WireFormat.getTagWireType(tag);
                if (field == 1 && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    name = string("attribute name");
                } else if (field == 2 && wire == WireFormat.WIRETYPE_FIXED32) {
                    f = in.readFloat();
                } else if (field == 3 && wire == WireFormat.WIRETYPE_VARINT) {
                    i = in.readInt64();
                } else if (field == 5 && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    int end = enter("attribute tensor");
                    t = tensor();
                    leave(end);
                } else if (field == 20 && wire == WireFormat.WIRETYPE_VARINT) {
                    type = in.readInt32();
                } else {
                    skip(tag);
                }
            }
            // type is authoritative; files older than IR version 2 have none, so fall back on the field present
            if (type == ATTR_FLOAT || type == 0 && f != null) {
                floats.put(name, f == null ? 0f : f);
            } else if (type == ATTR_INT || type == 0 && i != null) {
                ints.put(name, i == null ? 0L : i);
            } else if ((type == ATTR_TENSOR || type == 0) && t != null) {
                tensors.put(name, t);
            }
        }

        // ---- TensorProto ----

        private Tensor tensor() throws IOException {
            String name = "";
            int dataType = 0;
            LongList dims = new LongList();
            FloatList floatData = new FloatList();
            LongList intData = new LongList(); // int32_data and int64_data
            FloatList doubleData = new FloatList();
            int rawOffset = -1;
            int rawLength = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = field(tag);
                int wire = WireFormat.getTagWireType(tag);
                switch (field) {
                    case 1 -> varints(wire, dims, "dims");
                    case 2 -> dataType = checkedVarint(wire, "data_type");
                    case 4 -> fixed32s(wire, floatData);
                    case 5, 7 -> varints(wire, intData, field == 5 ? "int32_data" : "int64_data");
                    case 8 -> name = string(wire, "tensor name");
                    case 9 -> {
                        expectDelimited(wire, "raw_data");
                        rawLength = length("raw_data");
                        rawOffset = in.getTotalBytesRead();
                        in.skipRawBytes(rawLength);
                    }
                    case 10 -> fixed64s(wire, doubleData);
                    case 13 -> throw problem("tensor '" + name + "': external data is not supported"
                            + " (the weights live in a separate file; re-export the model with them embedded)");
                    case 14 -> {
                        if (checkedVarint(wire, "data_location") == 1) {
                            throw problem("tensor '" + name + "': external data is not supported");
                        }
                    }
                    default -> skip(tag);
                }
            }
            long[] shape = dims.toArray();
            for (long d : shape) {
                if (d < 0) {
                    throw problem("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
                }
            }
            long count;
            try {
                count = Tensor.elementCount(shape);
            } catch (ArithmeticException e) {
                throw problem("tensor '" + name + "' has dims " + Arrays.toString(shape) + " whose product overflows");
            }
            float[] floats = null;
            long[] longs = null;
            switch (dataType) {
                case FLOAT -> floats = rawOffset >= 0
                        ? rawFloats(rawOffset, rawLength, count, name)
                        : typed(floatData.toArray(), count, name, "float_data");
                case DOUBLE -> {
                    if (rawOffset >= 0) {
                        ByteBuffer b = raw(rawOffset, rawLength, 8, count, name);
                        floats = new float[(int) count];
                        for (int k = 0; k < floats.length; k++) {
                            floats[k] = (float) b.getDouble();
                        }
                    } else {
                        floats = typed(doubleData.toArray(), count, name, "double_data");
                    }
                }
                case INT64, INT32 -> {
                    if (rawOffset >= 0) {
                        int size = dataType == INT64 ? 8 : 4;
                        ByteBuffer b = raw(rawOffset, rawLength, size, count, name);
                        longs = new long[(int) count];
                        for (int k = 0; k < longs.length; k++) {
                            longs[k] = size == 8 ? b.getLong() : b.getInt();
                        }
                    } else {
                        long[] values = intData.toArray();
                        if (dataType == INT32) {
                            for (int k = 0; k < values.length; k++) {
                                values[k] = (int) values[k]; // int32_data holds int32 varints sign-extended to 64
                            }
                        }
                        longs = typed(values, count, name, dataType == INT64 ? "int64_data" : "int32_data");
                    }
                }
                default -> {
                    // Other element types (float16, bool, string, ...) are not needed by the importers: keep
                    // the dims so a caller can name the tensor and its shape in a message.
                }
            }
            return new Tensor(name, dataType, shape, floats, longs);
        }

        private float[] rawFloats(int offset, int length, long count, String name) {
            ByteBuffer b = raw(offset, length, 4, count, name); // checks the size before allocating
            float[] values = new float[(int) count];
            b.asFloatBuffer().get(values);
            return values;
        }

        /** Checks that raw_data holds exactly {@code count} elements of {@code size} bytes; a little-endian view. */
        private ByteBuffer raw(int offset, int length, int size, long count, String name) {
            if (count > Integer.MAX_VALUE || count * size != length) { // count * size cannot overflow here
                throw problem("tensor '" + name + "' has " + length + " bytes of raw_data, but its dims need "
                        + count + " elements of " + size + " bytes");
            }
            return ByteBuffer.wrap(bytes, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        private float[] typed(float[] values, long count, String name, String field) {
            if (values.length != count) {
                throw problem("tensor '" + name + "' has " + values.length + " " + field
                        + " values, but its dims need " + count);
            }
            return values;
        }

        private long[] typed(long[] values, long count, String name, String field) {
            if (values.length != count) {
                throw problem("tensor '" + name + "' has " + values.length + " " + field
                        + " values, but its dims need " + count);
            }
            return values;
        }

        // ---- repeated scalars, packed or not ----

        private void varints(int wire, LongList out, String what) throws IOException {
            if (wire == WireFormat.WIRETYPE_VARINT) {
                out.add(in.readInt64());
            } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int end = enter(what);
                while (in.getBytesUntilLimit() > 0) {
                    out.add(in.readInt64());
                }
                leave(end);
            } else {
                throw problem(what + " has wire type " + wire);
            }
        }

        private void fixed32s(int wire, FloatList out) throws IOException {
            if (wire == WireFormat.WIRETYPE_FIXED32) {
                out.add(in.readFloat());
            } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int length = length("float_data");
                if (length % 4 != 0) {
                    throw problem("packed float_data of " + length + " bytes is not a whole number of floats");
                }
                out.ensureRoom(length / 4);
                for (int k = 0; k < length / 4; k++) {
                    out.add(in.readFloat());
                }
            } else {
                throw problem("float_data has wire type " + wire);
            }
        }

        private void fixed64s(int wire, FloatList out) throws IOException {
            if (wire == WireFormat.WIRETYPE_FIXED64) {
                out.add((float) in.readDouble());
            } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int length = length("double_data");
                if (length % 8 != 0) {
                    throw problem("packed double_data of " + length + " bytes is not a whole number of doubles");
                }
                out.ensureRoom(length / 8);
                for (int k = 0; k < length / 8; k++) {
                    out.add((float) in.readDouble());
                }
            } else {
                throw problem("double_data has wire type " + wire);
            }
        }

        // ---- framing ----

        /**
         * Reads a length prefix and checks it against what is left: past the end of the file is truncation, past
         * the end of the enclosing message (but inside the file) is corruption. Nothing is allocated before.
         */
        private int length(String what) throws IOException {
            int length = in.readRawVarint32();
            int leftInFile = bytes.length - in.getTotalBytesRead();
            if (length < 0) {
                throw problem("corrupt " + what + ": negative length " + length);
            }
            if (length > leftInFile) {
                throw problem("truncated: " + what + " claims " + length + " bytes but only " + leftInFile
                        + " remain in the file");
            }
            if (length > in.getBytesUntilLimit()) {
                throw problem("corrupt: " + what + " claims " + length + " bytes, past the end of its enclosing"
                        + " message (" + in.getBytesUntilLimit() + " bytes left there)");
            }
            return length;
        }

        /** Enters a length-delimited sub-message; returns the limit to restore with {@link #leave(int)}. */
        private int enter(String what) throws IOException {
            return in.pushLimit(length(what));
        }

        private void leave(int oldLimit) throws IOException {
            if (in.getBytesUntilLimit() != 0) {
                throw problem("corrupt: a message did not end where its length said");
            }
            in.popLimit(oldLimit);
        }

        private String string(String what) throws IOException {
            int length = length(what);
            String s = new String(bytes, in.getTotalBytesRead(), length, StandardCharsets.UTF_8);
            in.skipRawBytes(length);
            return s;
        }

        private String string(int wire, String what) throws IOException {
            expectDelimited(wire, what);
            return string(what);
        }

        private int checkedVarint(int wire, String what) throws IOException {
            if (wire != WireFormat.WIRETYPE_VARINT) {
                throw problem(what + " has wire type " + wire);
            }
            return in.readInt32();
        }

        private void expectDelimited(int wire, String what) throws IOException {
            if (wire != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                throw problem(what + " has wire type " + wire);
            }
        }

        /** Field number of a length-delimited tag, or -1 for another wire type (which the callers then skip). */
        private static int delimited(int tag) {
            return isDelimited(tag) ? field(tag) : -1;
        }

        private static boolean isDelimited(int tag) {
            return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
        }

        private static int field(int tag) {
            return WireFormat.getTagFieldNumber(tag);
        }

        /** Skips a field, checking a length prefix like any other before protobuf walks past it. */
        private void skip(int tag) throws IOException {
            if (isDelimited(tag)) {
                in.skipRawBytes(length("field " + field(tag)));
            } else if (!in.skipField(tag)) {
                throw problem("corrupt: unexpected end-group tag for field " + field(tag));
            }
        }

        private ModelFormatException problem(String problem) {
            return new ModelFormatException(file, problem);
        }
    }

    /** A growable float array, so repeated fields need no boxing. */
    private static final class FloatList {
        private float[] values = new float[16];
        private int size;

        void ensureRoom(int more) {
            if (size + more > values.length) {
                values = Arrays.copyOf(values, Math.max(size + more, 2 * values.length));
            }
        }

        void add(float v) {
            ensureRoom(1);
            values[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** A growable long array. */
    private static final class LongList {
        private long[] values = new long[8];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, 2 * values.length);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
