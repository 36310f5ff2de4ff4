package dev.attnstudio.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.OnnxBertImport;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * all-MiniLM-L6-v2 written out as a Hugging Face BERT folder (config.json, model.safetensors, tokenizer.json) and
 * opened with {@link LoadedModel#open}: the same weights by another road give the same last hidden state.
 */
class HfFolderRoundTripTest {

    @TempDir
    Path folder;

    @Test
    void onnxImportAndHuggingFaceFolderAgree() throws IOException {
        SampleModels.MavenOnnx source =
                (SampleModels.MavenOnnx) SampleModels.find("all-minilm-l6-v2").orElseThrow().source();
        OnnxBertImport.Imported imported = SampleModels.importOnnx(source);
        ModelConfig c = imported.config();

        SafeTensors.write(folder.resolve("model.safetensors"), imported.tensors(), Map.of());
        ObjectNode config = new ObjectMapper().createObjectNode()
                .put("model_type", "bert")
                .put("num_hidden_layers", c.nLayer())
                .put("num_attention_heads", c.nHead())
                .put("hidden_size", c.dModel())
                .put("intermediate_size", c.dMlp())
                .put("max_position_embeddings", c.nPositions())
                .put("vocab_size", c.vocabSize())
                .put("type_vocab_size", c.typeVocabSize())
                .put("layer_norm_eps", c.layerNormEps())
                .put("hidden_act", "gelu");
        Files.writeString(folder.resolve("config.json"), config.toPrettyString());
        Files.writeString(folder.resolve("tokenizer.json"), SampleModels.tokenizerJson(source));

        // The ONNX road as SampleModels.open takes it, without parsing the file a second time.
        try (LoadedModel fromOnnx = LoadedModel.of("all-minilm-l6-v2", c, imported.tensors(),
                SampleModels.tokenizer(source), DjlRuntime.DeviceChoice.CPU);
             LoadedModel fromFolder = LoadedModel.open(folder, DjlRuntime.DeviceChoice.CPU)) {
            assertEquals(c, fromFolder.config());
            assertEquals(c, fromOnnx.config());
            Tokenizer tokenizer = fromFolder.tokenizer();
            List<Tokenizer.Tokens> rows = List.of(tokenizer.encode(OrtExactnessTest.CAT),
                    tokenizer.encodePair(OrtExactnessTest.QUESTION, OrtExactnessTest.CAT));
            assertArrayEquals(fromOnnx.tokenizer().encode(OrtExactnessTest.CAT).ids(), rows.get(0).ids());
            Batch batch = Batch.pad(rows.stream().map(Tokenizer.Tokens::ids).toList(),
                    rows.stream().map(Tokenizer.Tokens::typeIds).toList(), Batch.Padding.RIGHT, 0);
            TensorData a = lastHiddenState(fromOnnx, batch);
            TensorData b = lastHiddenState(fromFolder, batch);
            assertArrayEquals(a.shape(), b.shape());
            double max = 0;
            for (int i = 0; i < a.values().length; i++) {
                max = Math.max(max, Math.abs(a.values()[i] - b.values()[i]));
            }
            // Same fp32 weights, same operations: bit-for-bit equality is expected; allow rounding noise anyway.
            assertTrue(max <= 1e-6, "the folder's last hidden state differs by " + max);
        }
    }

    private static TensorData lastHiddenState(LoadedModel model, Batch batch) {
        try (Stepper s = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            s.reset(batch);
            s.runToEnd();
            return s.read(model.model().outputHook());
        }
    }
}
