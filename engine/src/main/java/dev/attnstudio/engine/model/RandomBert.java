package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.attnstudio.engine.model.RandomGpt2.layerNorm;
import static dev.attnstudio.engine.model.RandomGpt2.normal;

/**
 * BERT-shaped tensors with random values under Hugging Face names and layouts (Linear weights [out, in]), for
 * tests: the same distributions as {@link RandomGpt2}, deterministic for a seed.
 */
public final class RandomBert {

    private RandomBert() {
    }

    public static Map<String, SafeTensors.Tensor> tensors(ModelConfig c, long seed, float std) {
        SplittableRandom random = new SplittableRandom(seed);
        long d = c.dModel();
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("embeddings.word_embeddings.weight", normal(random, std, c.vocabSize(), d));
        t.put("embeddings.position_embeddings.weight", normal(random, std, c.nPositions(), d));
        t.put("embeddings.token_type_embeddings.weight", normal(random, std, c.typeVocabSize(), d));
        layerNorm(t, random, "embeddings.LayerNorm", d);
        for (int i = 0; i < c.nLayer(); i++) {
            String l = "encoder.layer." + i + ".";
            for (String part : List.of("query", "key", "value")) {
                t.put(l + "attention.self." + part + ".weight", normal(random, std, d, d));
                t.put(l + "attention.self." + part + ".bias", normal(random, std / 4, d));
            }
            t.put(l + "attention.output.dense.weight", normal(random, std, d, d));
            t.put(l + "attention.output.dense.bias", normal(random, std / 4, d));
            layerNorm(t, random, l + "attention.output.LayerNorm", d);
            t.put(l + "intermediate.dense.weight", normal(random, std, c.dMlp(), d));
            t.put(l + "intermediate.dense.bias", normal(random, std / 4, c.dMlp()));
            t.put(l + "output.dense.weight", normal(random, std, d, c.dMlp()));
            t.put(l + "output.dense.bias", normal(random, std / 4, d));
            layerNorm(t, random, l + "output.LayerNorm", d);
        }
        return t;
    }
}
