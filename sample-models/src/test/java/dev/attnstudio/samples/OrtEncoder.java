package dev.attnstudio.samples;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.TensorData;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime running a BERT-style ONNX encoder, as the independent reference the engine is checked against.
 * Inputs are fed by the names the session declares ({@code input_ids}, {@code attention_mask},
 * {@code token_type_ids}, int64 [B, T]); outputs come back as {@link TensorData}, like the engine's hooks.
 */
final class OrtEncoder implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    /**
     * @param model          the ONNX file's bytes
     * @param intraOpThreads threads for one operator; 0 leaves ONNX Runtime's default
     */
    OrtEncoder(byte[] model, int intraOpThreads) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    Set<String> inputNames() {
        return session.getInputNames();
    }

    Set<String> outputNames() {
        return session.getOutputNames();
    }

    /** Runs one batch and copies out the named outputs, in the order asked. */
    Map<String, TensorData> run(Batch batch, Set<String> outputs) {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (String name : session.getInputNames()) {
                long[][] table = switch (name) {
                    case "input_ids" -> batch.ids();
                    case "attention_mask" -> batch.attentionMask();
                    case "token_type_ids" -> batch.tokenTypes();
                    default -> throw new IllegalStateException("unexpected model input '" + name + "'");
                };
                inputs.put(name, OnnxTensor.createTensor(env, table));
            }
            try (OrtSession.Result result = session.run(inputs, outputs)) {
                Map<String, TensorData> out = new LinkedHashMap<>();
                for (String name : outputs) {
                    OnnxValue value = result.get(name).orElseThrow(() -> new IllegalStateException("no output " + name));
                    OnnxTensor tensor = (OnnxTensor) value;
                    long[] shape = ((TensorInfo) tensor.getInfo()).getShape();
                    FloatBuffer buffer = tensor.getFloatBuffer();
                    float[] values = new float[buffer.remaining()];
                    buffer.get(values);
                    out.put(name, new TensorData(name, shape, values));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
