package dev.attnstudio.engine.model;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.SafeTensors;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GPT-2-shaped tensors with random values under Hugging Face names, for tests, benchmarks and the bundled
 * random sample. Matrices are N(0, std^2), biases N(0, (std/4)^2), LayerNorm gains 1 + N(0, 0.1^2) and
 * offsets N(0, 0.02^2): deterministic for a seed. Random weights make random attention; they show the
 * machinery, not what a trained model does.
 */
public final class RandomGpt2 {

    private RandomGpt2() {
    }

    public static Map<String, SafeTensors.Tensor> tensors(ModelConfig c, long seed, float std) {
        SplittableRandom random = new SplittableRandom(seed);
        long d = c.dModel();
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("wte.weight", normal(random, std, c.vocabSize(), d));
        t.put("wpe.weight", normal(random, std, c.nPositions(), d));
        for (int i = 0; i < c.nLayer(); i++) {
            String h = "h." + i + ".";
            layerNorm(t, random, h + "ln_1", d);
            t.put(h + "attn.c_attn.weight", normal(random, std, d, 3 * d));
            t.put(h + "attn.c_attn.bias", normal(random, std / 4, 3 * d));
            t.put(h + "attn.c_proj.weight", normal(random, std, d, d));
            t.put(h + "attn.c_proj.bias", normal(random, std / 4, d));
            layerNorm(t, random, h + "ln_2", d);
            t.put(h + "mlp.c_fc.weight", normal(random, std, d, 4 * d));
            t.put(h + "mlp.c_fc.bias", normal(random, std / 4, 4 * d));
            t.put(h + "mlp.c_proj.weight", normal(random, std, 4 * d, d));
            t.put(h + "mlp.c_proj.bias", normal(random, std / 4, d));
        }
        layerNorm(t, random, "ln_f", d);
        return t;
    }

    static void layerNorm(Map<String, SafeTensors.Tensor> t, SplittableRandom random, String name, long d) {
        SafeTensors.Tensor gain = normal(random, 0.1f, d);
        for (int i = 0; i < gain.values().length; i++) {
            gain.values()[i] += 1f;
        }
        t.put(name + ".weight", gain);
        t.put(name + ".bias", normal(random, 0.02f, d));
    }

    static SafeTensors.Tensor normal(SplittableRandom random, float std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i += 2) {
            // Box-Muller: two standard normals per two uniforms
            double r = Math.sqrt(-2 * Math.log(1 - random.nextDouble()));
            double a = 2 * Math.PI * random.nextDouble();
            v[i] = (float) (r * Math.cos(a)) * std;
            if (i + 1 < v.length) {
                v[i + 1] = (float) (r * Math.sin(a)) * std;
            }
        }
        return new SafeTensors.Tensor(v, shape, SafeTensors.DType.F32);
    }
}
