package dev.attnstudio.app.bundle;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.replay.Recording;
import dev.attnstudio.engine.replay.ReplayModel;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens a trace bundle where the app's views read a live run: a {@link LoadedModel} around a {@link ReplayModel} (no
 * weights, the recorded tensors only) and a {@link Stepper} that replays the recorded passes, so every view that
 * reads a Stepper reads the recording unchanged. What needs the model's weights (a new prompt, an intervention, a
 * forward pass of its own) is not possible; the replayed passes are exactly the recorded ones.
 */
public final class BundleReplay {

    private BundleReplay() {
    }

    /**
     * The recorded model, replaying {@code trace} (which must stay open while the model is used), with the recorded
     * tokenizer.json when there is one, so tokens are labelled as the model's own tokenizer labels them.
     */
    public static LoadedModel model(RecordedTrace trace) throws IOException {
        ModelConfig config = config(trace);
        Tokenizer tokenizer = trace.tokenizerJson()
                .map(json -> Tokenizer.fromJson(json, trace.path() + "!" + Manifest.TOKENIZER_FILE)).orElse(null);
        ReplayModel model = ReplayModel.of(config, trace.capabilities(), trace.manifest().model().outputHook(),
                recording(trace));
        return LoadedModel.of(trace.modelName(), model, tokenizer);
    }

    /**
     * Replays every recorded pass that can be replayed: all of them when each recorded the logits (the generated
     * token is sampled again from them with the recorded settings and checked against the recorded one) and the keys
     * and values the cache holds; else the prompt's pass alone. The cursor ends at the last replayed step. The model
     * then refuses any other pass (a view's own forward pass says it needs the model).
     */
    public static Stepper replay(LoadedModel model, RecordedTrace trace) throws IOException {
        boolean decodes = trace.groups().size() > 1 && replaysGeneration(trace, model);
        Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT.withCache(decodes));
        try {
            stepper.reset(batch(trace));
            stepper.runToEnd();
            if (decodes) {
                Manifest.Sampling s = trace.manifest().sampling();
                Sampler sampler = new Sampler(new SamplingConfig(s.temperature(), s.topK(), s.topP(), s.seed()));
                for (int g = 1; g < trace.groups().size(); g++) {
                    Manifest.Generated recorded = trace.groups().get(g - 1).generated();
                    Sampler.Choice choice = stepper.generate(sampler);
                    if (recorded == null || choice.token() != recorded.token()) {
                        throw new BundleException(BundleException.Problem.MALFORMED, trace.path() + ": pass " + g
                                + " read token " + (recorded == null ? "?" : recorded.token()) + ", but the recorded "
                                + "logits and sampling settings give " + choice.token());
                    }
                    stepper.runToEnd();
                }
            }
            if (model.model() instanceof ReplayModel replay) {
                replay.seal(); // what is not recorded would be computed from recorded values a change did not reach
            }
            return stepper;
        } catch (IOException | RuntimeException e) {
            stepper.close();
            throw e;
        }
    }

    /** Whether every pass recorded the logits and the keys and values a KV cache would hold. */
    private static boolean replaysGeneration(RecordedTrace trace, LoadedModel model) {
        Capabilities c = trace.capabilities();
        if (c.readsSource() || !c.generates()) {
            return false; // an encoder-decoder's cache also holds its cross-attention keys: the prompt's pass only
        }
        for (int g = 0; g < trace.groups().size(); g++) {
            if (!trace.has(g, HookName.Model.LOGITS.id)) {
                return false;
            }
            for (int layer = 0; layer < c.cacheLayers(); layer++) {
                if (!trace.has(g, model.model().cacheKeyHook(layer)) || !trace.has(g, model.model().cacheValueHook(layer))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The prompt's pass's inputs, as recorded. */
    private static Batch batch(RecordedTrace trace) throws IOException {
        long[][] ids = trace.ids(0, Program.INPUT_IDS);
        long[][] types = trace.ids(0, Program.TOKEN_TYPE_IDS);
        long[][] mask = trace.ids(0, "attention_mask");
        long[][] decoder = trace.has(0, Program.DECODER_INPUT_IDS) ? trace.ids(0, Program.DECODER_INPUT_IDS) : null;
        return new Batch(ids, types, mask, decoder);
    }

    /**
     * The model's config: its config.json as recorded, read by the engine's own reader; for a model that had none
     * (a generated GPT-2 sample), the recorded GPT-2 geometry.
     */
    private static ModelConfig config(RecordedTrace trace) throws IOException {
        Manifest.Model m = trace.manifest().model();
        if (m.configJson() != null) {
            Path tmp = Files.createTempFile("attn-studio-bundle-config-", ".json");
            try {
                Files.write(tmp, Manifest.mapper().writeValueAsBytes(m.configJson()));
                return ModelConfig.read(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        Manifest.Config c = m.config();
        if (!"gpt2".equals(m.architecture()) || c == null) {
            throw new BundleException(BundleException.Problem.MALFORMED, trace.path() + " does not hold the model's "
                    + "config.json (a " + m.architecture() + " exported to ONNX?): open it with the model instead");
        }
        return new ModelConfig(c.nLayer(), c.nHead(), c.dModel(), c.nPositions(), c.vocabSize(), c.layerNormEps(),
                ModelConfig.Activation.valueOf(c.activation().toUpperCase(Locale.ROOT)));
    }

    /** The bundle as the replay reads it. */
    private static Recording recording(RecordedTrace trace) {
        return new Recording() {
            @Override
            public int passes() {
                return trace.groups().size();
            }

            @Override
            public int past(int pass) {
                return trace.groups().get(pass).past();
            }

            @Override
            public List<Step> steps(int pass) {
                return trace.steps(pass).stream()
                        .map(s -> new Step(s.name(), s.unit(), s.kind(), s.math(), s.site(), s.norm(),
                                s.scale() == null ? Float.NaN : s.scale()))
                        .toList();
            }

            @Override
            public boolean recorded(int pass, String name) {
                return trace.has(pass, name);
            }

            @Override
            public TensorData read(int pass, String name) {
                try {
                    return trace.read(pass, name);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
