package dev.attnstudio.engine.load;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.Checkpoint;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.model.BertModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.model.Gpt2Model;
import dev.attnstudio.engine.model.HalfWeights;
import dev.attnstudio.engine.model.LlamaModel;
import dev.attnstudio.engine.model.NeoXModel;
import dev.attnstudio.engine.model.T5Model;
import dev.attnstudio.engine.model.TransformerModel;
import dev.attnstudio.engine.model.WeightSource;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model ready to run: weights on a device, its config, and its tokenizer (null when the folder has none;
 * then only token ids can be given). Closing it frees the weights.
 */
public final class LoadedModel implements AutoCloseable {

    private final String name;
    private final TransformerModel model;
    private final Tokenizer tokenizer;
    private final NDManager root;
    private final long loadMillis;

    private LoadedModel(String name, TransformerModel model, Tokenizer tokenizer, NDManager root, long loadMillis) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.root = root;
        this.loadMillis = loadMillis;
    }

    /**
     * Opens a Hugging Face folder of a supported family ({@link ModelConfig.Architecture}: GPT-2, GPT-NeoX, BERT, LLaMA
     * and its variants Qwen2, Qwen3, Mistral, Gemma 2, T5): {@code config.json}, the weights ({@code model.safetensors},
     * or {@code model.safetensors.index.json} with its shards), and optionally {@code tokenizer.json}. Every problem is
     * reported with the file it is in.
     */
    public static LoadedModel open(Path folder, DjlRuntime.DeviceChoice deviceChoice) {
        return open(folder, deviceChoice, null);
    }

    /**
     * As {@link #open(Path, DjlRuntime.DeviceChoice)}, telling {@code progress} (may be null) after each tensor. An
     * interrupt of the loading thread, or a {@code progress} that throws, stops the load before the next tensor:
     * what was loaded is freed and the exception ({@link java.util.concurrent.CancellationException} for an
     * interrupt) propagates.
     */
    public static LoadedModel open(Path folder, DjlRuntime.DeviceChoice deviceChoice, WeightSource.Progress progress) {
        return open(folder, deviceChoice, progress,
                Boolean.parseBoolean(System.getProperty(HalfWeights.PROPERTY, "true")));
    }

    /**
     * As {@link #open(Path, DjlRuntime.DeviceChoice, WeightSource.Progress)}, choosing how a float16 or bfloat16
     * checkpoint is held (the other overloads choose half precision unless {@code -Dattnstudio.halfPrecisionWeights=false}).
     *
     * @param halfPrecisionWeights true: its matrices (projections, embeddings, lm_head) stay in the stored dtype in
     *                             native memory, half the bytes of float32, and are widened to float32 for each use
     *                             (exact: the same logits bit for bit; such a model cannot be trained); false: every
     *                             tensor is widened to float32 at load. Vectors (norm gains, biases) are float32 and a
     *                             float32 checkpoint is loaded as it is, either way.
     */
    public static LoadedModel open(Path folder, DjlRuntime.DeviceChoice deviceChoice, WeightSource.Progress progress,
                                   boolean halfPrecisionWeights) {
        long start = System.nanoTime();
        if (!Files.isDirectory(folder)) {
            throw new ModelFormatException(folder, "not a folder (expected config.json, model.safetensors, tokenizer.json)");
        }
        Path configFile = folder.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new ModelFormatException(configFile, "missing: a model folder needs config.json and model.safetensors"
                    + " (or " + Checkpoint.INDEX + " with its shards)");
        }
        ModelConfig config = ModelConfig.read(configFile);
        Path tokenizerFile = folder.resolve("tokenizer.json");
        Tokenizer tokenizer = Files.isRegularFile(tokenizerFile) ? Tokenizer.open(tokenizerFile) : null;
        try (Checkpoint weights = Checkpoint.open(folder)) {
            WeightSource source = WeightSource.of(weights, halfPrecisionWeights);
            return build(folder.getFileName().toString(), config, progress == null ? source : source.watched(progress),
                    tokenizer, deviceChoice, start);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /**
     * A model that was not read from weights, such as a {@code ReplayModel} over a recorded trace: it owns its
     * manager and the tokenizer (or null), which close with it.
     */
    public static LoadedModel of(String name, TransformerModel model, Tokenizer tokenizer) {
        return new LoadedModel(name, model, tokenizer, model.manager(), 0);
    }

    /** A model from tensors already in memory (random models for tests, benchmarks, and the demo sample). */
    public static LoadedModel of(String name, ModelConfig config, Map<String, SafeTensors.Tensor> tensors,
                                 Tokenizer tokenizer, DjlRuntime.DeviceChoice deviceChoice) {
        return build(name, config, WeightSource.of(tensors, name), tokenizer, deviceChoice, System.nanoTime());
    }

    private static LoadedModel build(String name, ModelConfig config, WeightSource source, Tokenizer tokenizer,
                                     DjlRuntime.DeviceChoice deviceChoice, long start) {
        if (tokenizer != null && tokenizer.maxTokenId() >= config.vocabSize()) {
            throw new ModelFormatException(tokenizer.file(), "the tokenizer produces ids up to " + tokenizer.maxTokenId()
                    + ", but the model's vocabulary has " + config.vocabSize() + " rows: tokenizer and weights do not match");
        }
        Device device = DjlRuntime.device(deviceChoice);
        NDManager root = NDManager.newBaseManager(device, DjlRuntime.engine().getEngineName());
        try {
            TransformerModel model = switch (config.architecture()) {
                case GPT2 -> Gpt2Model.load(config, source, root);
                case GPT_NEOX -> NeoXModel.load(config, source, root);
                case BERT -> BertModel.load(config, source, root);
                case LLAMA, QWEN2, QWEN3, MISTRAL, GEMMA2 -> LlamaModel.load(config, source, root);
                case T5 -> T5Model.load(config, source, root);
            };
            return new LoadedModel(name, model, tokenizer, root, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** What a model of this config can do, known from config.json alone (before any weight is read). */
    public static Capabilities capabilities(ModelConfig config) {
        return switch (config.architecture()) {
            case GPT2 -> Gpt2Model.capabilities(config);
            case GPT_NEOX -> NeoXModel.capabilities(config);
            case BERT -> BertModel.capabilities(config);
            case LLAMA, QWEN2, QWEN3, MISTRAL, GEMMA2 -> LlamaModel.capabilities(config);
            case T5 -> T5Model.capabilities(config);
        };
    }

    public String name() {
        return name;
    }

    public TransformerModel model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    /** The tokenizer, or null if the model came without one. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Device device() {
        return root.getDevice();
    }

    public long loadMillis() {
        return loadMillis;
    }

    @Override
    public void close() {
        model.close();
        root.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
