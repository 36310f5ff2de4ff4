package dev.attnstudio.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.attnstudio.engine.io.OnnxGraph.Node;
import dev.attnstudio.engine.io.OnnxGraph.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX files written field by field here with protobuf's CodedOutputStream, then read back. */
class OnnxGraphTest {

    @TempDir
    Path dir;

    // ---- a tiny protobuf writer for the ONNX messages the tests need ----

    /** One message under construction. */
    private static final class Msg {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

        Msg varint(int field, long value) throws IOException {
            out.writeInt64(field, value);
            return this;
        }

        Msg string(int field, String value) throws IOException {
            out.writeString(field, value);
            return this;
        }

        Msg bytes(int field, byte[] value) throws IOException {
            out.writeByteArray(field, value);
            return this;
        }

        Msg message(int field, Msg sub) throws IOException {
            return bytes(field, sub.toBytes());
        }

        Msg fixed32(int field, float value) throws IOException {
            out.writeFloat(field, value);
            return this;
        }

        /** A packed repeated field: tag, byte length, then the elements without tags. */
        Msg packedVarints(int field, long... values) throws IOException {
            Msg body = new Msg();
            for (long v : values) {
                body.out.writeInt64NoTag(v);
            }
            return bytes(field, body.toBytes());
        }

        Msg packedFloats(int field, float... values) throws IOException {
            Msg body = new Msg();
            for (float v : values) {
                body.out.writeFloatNoTag(v);
            }
            return bytes(field, body.toBytes());
        }

        Msg raw(byte[] b) throws IOException {
            out.writeRawBytes(b);
            return this;
        }

        byte[] toBytes() throws IOException {
            out.flush();
            return bytes.toByteArray();
        }
    }

    private static byte[] littleEndianFloats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static byte[] littleEndianInts(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    /** W: [2, 3] float32 as raw_data with packed dims. */
    private static Msg rawWeight() throws IOException {
        return new Msg().packedVarints(1, 2, 3).varint(2, OnnxGraph.FLOAT).string(8, "onnx::MatMul_7")
                .bytes(9, littleEndianFloats(1, 2, 3, 4, 5, 6));
    }

    /** b: [3] float32 as (packed) float_data with unpacked dims, fields out of the usual order. */
    private static Msg floatDataBias() throws IOException {
        return new Msg().string(8, "layer.bias").packedFloats(4, 0.5f, -1.5f, 2.5f).varint(1, 3)
                .varint(2, OnnxGraph.FLOAT);
    }

    private static Msg attribute(String name, int type, Msg value) throws IOException {
        return value.string(1, name).varint(20, type);
    }

    /**
     * A 2-node graph: y = x W, then z = y + b; a Constant node would add a third, so the scale is an attribute.
     * Unknown fields (doc strings, opsets, value types) are sprinkled in to be skipped.
     */
    private static byte[] twoNodeModel() throws IOException {
        Msg matMul = new Msg().string(1, "x").string(1, "onnx::MatMul_7").string(2, "y")
                .string(3, "/layer/MatMul").string(4, "MatMul").string(6, "a doc string");
        Msg scale = new Msg().varint(2, OnnxGraph.FLOAT).packedVarints(1, 1).packedFloats(4, 0.25f);
        Msg add = new Msg().string(1, "y").string(1, "layer.bias").string(2, "z").string(3, "/layer/Add")
                .string(4, "Add")
                .message(5, attribute("alpha", 1, new Msg().fixed32(2, 0.5f)))
                .message(5, attribute("axis", 2, new Msg().varint(3, -1)))
                .message(5, attribute("scale", 4, new Msg().message(5, scale)))
                .message(5, attribute("perm", 7, new Msg().packedVarints(8, 1, 0))) // a list: skipped
                .string(7, "ai.onnx");
        Msg ints = new Msg().varint(1, 2).varint(2, OnnxGraph.INT64).string(8, "shape").varint(7, 12).varint(7, -1);
        Msg int32 = new Msg().packedVarints(1, 2).varint(2, OnnxGraph.INT32).string(8, "int32s")
                .bytes(9, littleEndianInts(-7, 9));
        Msg doubles = new Msg().varint(1, 2).varint(2, OnnxGraph.DOUBLE).string(8, "doubles");
        doubles.out.writeDouble(10, 0.125);
        doubles.out.writeDouble(10, -3.0);
        Msg half = new Msg().packedVarints(1, 2, 2).varint(2, 10).string(8, "halves").bytes(9, new byte[8]);
        Msg graph = new Msg()
                .message(1, matMul)
                .message(1, add)
                .string(2, "tiny")
                .message(5, rawWeight())
                .message(5, floatDataBias())
                .message(5, ints)
                .message(5, int32)
                .message(5, doubles)
                .message(5, half)
                .message(11, new Msg().string(1, "x").message(2, new Msg().varint(1, 1)))
                .message(12, new Msg().string(1, "z"))
                .message(13, new Msg().string(1, "y")); // value_info: skipped
        return new Msg()
                .varint(1, 8) // ir_version
                .string(2, "unit test") // producer_name
                .message(8, new Msg().string(1, "").varint(2, 11)) // opset_import
                .message(7, graph)
                .toBytes();
    }

    private static void assertTwoNodeGraph(OnnxGraph g) {
        assertEquals(List.of("x"), g.inputs());
        assertEquals(List.of("z"), g.outputs());
        assertEquals(2, g.nodes().size());

        Node matMul = g.nodes().get(0);
        assertEquals("/layer/MatMul", matMul.name());
        assertEquals("MatMul", matMul.opType());
        assertEquals(List.of("x", "onnx::MatMul_7"), matMul.inputs());
        assertEquals(List.of("y"), matMul.outputs());
        assertTrue(matMul.floatAttrs().isEmpty() && matMul.intAttrs().isEmpty());

        Node add = g.nodes().get(1);
        assertEquals("Add", add.opType());
        assertEquals(Map.of("alpha", 0.5f), add.floatAttrs());
        assertEquals(Map.of("axis", -1L), add.intAttrs());
        Tensor scale = add.tensorAttributes().get("scale");
        assertArrayEquals(new long[] {1}, scale.dims());
        assertArrayEquals(new float[] {0.25f}, scale.floats());
        assertFalse(add.tensorAttributes().containsKey("perm"));

        assertEquals(List.of("onnx::MatMul_7", "layer.bias", "shape", "int32s", "doubles", "halves"),
                List.copyOf(g.initializers().keySet()));
        Tensor w = g.initializers().get("onnx::MatMul_7");
        assertEquals(OnnxGraph.FLOAT, w.dataType());
        assertArrayEquals(new long[] {2, 3}, w.dims());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.floats());
        assertNull(w.longs());
        Tensor b = g.initializers().get("layer.bias");
        assertArrayEquals(new long[] {3}, b.dims());
        assertArrayEquals(new float[] {0.5f, -1.5f, 2.5f}, b.floats());
        assertArrayEquals(new long[] {12, -1}, g.initializers().get("shape").longs());
        assertArrayEquals(new long[] {-7, 9}, g.initializers().get("int32s").longs());
        assertArrayEquals(new float[] {0.125f, -3f}, g.initializers().get("doubles").floats());
        Tensor half = g.initializers().get("halves");
        assertFalse(half.hasValues(), "float16 is kept as dims only");
        assertArrayEquals(new long[] {2, 2}, half.dims());
    }

    @Test
    void readsATwoNodeGraphFromAFileAndAStream() throws IOException {
        byte[] model = twoNodeModel();
        Path file = Files.write(dir.resolve("tiny.onnx"), model);
        assertTwoNodeGraph(OnnxGraph.read(file));
        assertTwoNodeGraph(OnnxGraph.read(new ByteArrayInputStream(model), "tiny.onnx"));
    }

    @Test
    void unpackedFloatDataAndDimsReadLikePackedOnes() throws IOException {
        Msg t = new Msg().varint(1, 1).varint(1, 2).varint(2, OnnxGraph.FLOAT).string(8, "w")
                .fixed32(4, 7f).fixed32(4, 8f);
        byte[] model = new Msg().message(7, new Msg().message(5, t)).toBytes();
        Tensor w = OnnxGraph.read(new ByteArrayInputStream(model), "m.onnx").initializers().get("w");
        assertArrayEquals(new long[] {1, 2}, w.dims());
        assertArrayEquals(new float[] {7, 8}, w.floats());
    }

    @Test
    void everyTruncationIsReportedWithTheFileName() throws IOException {
        byte[] model = twoNodeModel();
        int graphStart = indexOfGraphTag(model);
        for (int cut = 0; cut < model.length; cut++) {
            Path file = Files.write(dir.resolve("cut" + cut + ".onnx"), Arrays.copyOf(model, cut));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxGraph.read(file),
                    "cut at " + cut);
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertEquals(file, e.file());
            if (cut > graphStart) {
                assertTrue(e.getMessage().contains("truncated"), "cut at " + cut + ": " + e.getMessage());
            }
            Files.delete(file);
        }
    }

    /** The offset of the ModelProto.graph tag: the twoNodeModel writes it after three small fields. */
    private static int indexOfGraphTag(byte[] model) {
        int tag = 7 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
        for (int i = 0; i < model.length; i++) {
            if ((model[i] & 0xFF) == tag) {
                return i;
            }
        }
        throw new AssertionError("no graph tag");
    }

    @Test
    void aLengthClaimingMoreThanRemainsIsRejectedWithoutAllocating() throws IOException {
        // raw_data announces ~2 GB, and the enclosing lengths are consistent with the few bytes really there
        Msg tensor = new Msg().packedVarints(1, 500_000_000).varint(2, OnnxGraph.FLOAT).string(8, "huge");
        tensor.out.writeTag(9, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        tensor.out.writeUInt32NoTag(2_000_000_000);
        tensor.raw(new byte[16]);
        byte[] model = new Msg().message(7, new Msg().message(5, tensor)).toBytes();

        ModelFormatException e = assertRejectedCheaply(model, "claims.onnx");
        assertTrue(e.getMessage().startsWith("claims.onnx: "), e.getMessage());
        assertTrue(e.getMessage().contains("truncated: raw_data claims 2000000000 bytes"), e.getMessage());
    }

    @Test
    void dimsThatDoNotMatchTheDataAreRejectedWithoutAllocating() throws IOException {
        // dims promise 10^12 elements; the data holds one float
        Msg tensor = new Msg().packedVarints(1, 1_000_000, 1_000_000).varint(2, OnnxGraph.FLOAT).string(8, "w")
                .bytes(9, littleEndianFloats(1));
        ModelFormatException e = assertRejectedCheaply(
                new Msg().message(7, new Msg().message(5, tensor)).toBytes(), "dims.onnx");
        assertTrue(e.getMessage().contains("tensor 'w' has 4 bytes of raw_data"), e.getMessage());

        Msg overflow = new Msg().packedVarints(1, Long.MAX_VALUE, 4).varint(2, OnnxGraph.FLOAT).string(8, "o");
        e = assertRejectedCheaply(new Msg().message(7, new Msg().message(5, overflow)).toBytes(), "overflow.onnx");
        assertTrue(e.getMessage().contains("overflows"), e.getMessage());
    }

    private static ModelFormatException assertRejectedCheaply(byte[] model, String label) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> OnnxGraph.read(new ByteArrayInputStream(model), label));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10_000_000, "allocated " + allocated + " bytes for a " + model.length + "-byte file");
        return e;
    }

    @Test
    void externalDataIsRejectedClearly() throws IOException {
        Msg tensor = new Msg().packedVarints(1, 4).varint(2, OnnxGraph.FLOAT).string(8, "w")
                .message(13, new Msg().string(1, "location").string(2, "weights.bin"));
        byte[] model = new Msg().message(7, new Msg().message(5, tensor)).toBytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> OnnxGraph.read(new ByteArrayInputStream(model), "ext.onnx"));
        assertTrue(e.getMessage().startsWith("ext.onnx: tensor 'w': external data is not supported"), e.getMessage());
    }

    @Test
    void aSubMessageRunningPastItsParentIsCorrupt() throws IOException {
        // a node whose name claims 50 bytes inside a node message of 10: inside the file, outside the message
        Msg node = new Msg();
        node.out.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        node.out.writeUInt32NoTag(50);
        node.raw(new byte[8]);
        byte[] graph = new Msg().message(1, node).raw(new Msg().string(2, "x".repeat(60)).toBytes()).toBytes();
        byte[] model = new Msg().bytes(7, graph).toBytes();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> OnnxGraph.read(new ByteArrayInputStream(model), "nest.onnx"));
        assertTrue(e.getMessage().contains("corrupt: node name claims 50 bytes"), e.getMessage());
    }

    @Test
    void notAModelIsReported() {
        ModelFormatException empty = assertThrows(ModelFormatException.class,
                () -> OnnxGraph.read(new ByteArrayInputStream(new byte[0]), "empty.onnx"));
        assertEquals("empty.onnx: empty file", empty.getMessage());
        byte[] text = "{\"not\": \"onnx\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ModelFormatException json = assertThrows(ModelFormatException.class,
                () -> OnnxGraph.read(new ByteArrayInputStream(text), "config.json"));
        assertTrue(json.getMessage().startsWith("config.json: "), json.getMessage());
    }

    @Test
    void damagedBytesGiveAGraphOrAModelFormatExceptionNeverAnythingElse() throws IOException {
        byte[] model = twoNodeModel();
        Random random = new Random(42);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] damaged = model.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            try {
                OnnxGraph.read(new ByteArrayInputStream(damaged), "damaged.onnx");
            } catch (ModelFormatException e) {
                assertTrue(e.getMessage().startsWith("damaged.onnx: "), e.getMessage());
            }
        }
    }
}
