package dev.attnstudio.app.main;

import ai.djl.Device;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.ModelSource;

import java.nio.file.Path;

/**
 * What the window says about the open model: the status bar's facts, what its prompt may hold, and its card.
 *
 * @param architecture the engine's family in lower case: {@code gpt2}, {@code bert}, {@code llama}, {@code t5}
 * @param encoder      whether it reads its whole input at once (BERT) rather than generating left to right
 * @param encoderDecoder whether it is an encoder-decoder (T5): the prompt is the encoder's source and the
 *                     decoder generates
 * @param layers       blocks per stack (an encoder-decoder: the larger of its two stacks)
 * @param device       where its tensors live, e.g. {@code cpu} or {@code gpu 0}
 * @param threads      PyTorch's intra-op threads on the CPU; 0 on a GPU or for a recorded trace
 * @param loadMillis   the whole open, measured around it: reading files, importing ONNX, building on the device
 * @param source       where it was opened from
 * @param prompt       what its prompt may hold besides the text (a batch, a sentence B, decoder ids)
 * @param description  one line about it (a sample's from the catalog)
 * @param card         its model card, Markdown
 */
public record ModelInfo(String name, String architecture, boolean encoder, boolean encoderDecoder, int layers, int heads,
                        int dModel, int positions, int vocabSize, String device, int threads, long loadMillis,
                        ModelSource source, PromptRules prompt, String description, String card) {

    /** A recorded trace opened in place of a model: its device reads "recorded", its source is the bundle. */
    static ModelInfo recorded(LoadedModel model, Path bundle, long openMillis) {
        ModelConfig c = model.config();
        Capabilities can = model.model().capabilities();
        String description = "A recorded trace of " + model.name() + " (" + bundle.getFileName() + "): its passes "
                + "are replayed without the model's weights";
        return new ModelInfo(model.name(), can.family(), !can.generates(), can.readsSource(), can.maxLayers(),
                c.nHead(), c.dModel(), c.nPositions(), c.vocabSize(), "recorded", 0, openMillis,
                new ModelSource.OnDisk(bundle), PromptRules.of(can), description, description + ".");
    }

    static ModelInfo of(LoadedModel model, ModelSource source, long loadMillis) {
        ModelConfig c = model.config();
        Capabilities can = model.model().capabilities();
        Device d = model.device();
        String device = d.isGpu() ? "gpu " + d.getDeviceId() : d.getDeviceType();
        ModelCards.Card card = ModelCards.of(source, model.name(), can.family());
        return new ModelInfo(model.name(), can.family(), !can.generates(), can.readsSource(), can.maxLayers(),
                c.nHead(), c.dModel(), c.nPositions(), c.vocabSize(), device, d.isGpu() ? 0 : DjlRuntime.intraOpThreads(),
                loadMillis, source, PromptRules.of(can),
                card.description(), card.markdown());
    }
}
