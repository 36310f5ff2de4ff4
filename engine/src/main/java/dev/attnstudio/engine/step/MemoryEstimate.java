package dev.attnstudio.engine.step;

import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.model.ModelSize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The native memory a pass needs, estimated from the model's shapes before it runs, so a pass that cannot fit is
 * refused with the reason and the fix instead of exhausting the machine.
 *
 * <p>Letters: B batch, T tokens of the pass, K keys attended (T for a prompt), d d_model, H query heads, G key/value
 * heads, h head width, m d_mlp, V vocabulary, L layers (encoder plus decoder for T5). Every value is float32
 * (4 bytes). Per layer a pass produces, TransformerLens hook by hook:
 * <ul>
 *   <li>residual-width vectors [B, T, d]: resid_pre, ln1 normalized, attn_out, resid_mid, ln2 normalized, mlp_out,
 *       resid_post (7);</li>
 *   <li>heads [B, T, H, h] and [B, T, G, h]: q and z, k and v, and with rotary positions rot_q and rot_k;</li>
 *   <li>attention patterns [B, H, T, K]: qk_raw, attn_scores_unmasked, attn_scores, pattern (4), and the mask
 *       [B, 1, T, K];</li>
 *   <li>MLP activations [B, T, m]: pre and post, and pre_linear when the MLP is gated (LLaMA's SwiGLU).</li>
 * </ul>
 * What stays depends on the capture: {@link Capture#FULL} keeps all of it; {@link Capture#COMPACT} keeps per layer
 * q, k, v, z (and rot_k), attn_out, mlp_out and resid_post, and recomputes the rest (patterns included) when read;
 * {@link Capture#OFF} keeps k and v for the cache. Besides what stays, one layer's worth is alive while it is
 * computed (its patterns and MLP activations), the logits [B, T, V] stay, and a KV cache holds 2 x [B, K, G, h] per
 * layer. The weights are already resident: {@code 4 x parameters}, counted from the shapes ({@link ModelSize}, which
 * knows the families).
 *
 * <p>It is an estimate (it leaves out small tensors such as norm scales and position tables), checked against what a
 * trace really keeps in this class's tests.
 *
 * @param weights     bytes of the weights (already resident)
 * @param kept        bytes of the values the capture keeps
 * @param patterns    of {@code kept}, bytes of the [B, H, T, K] attention patterns kept
 * @param working     bytes alive only while one layer is computed
 * @param kvCache     bytes of the KV cache after the pass (0 without one)
 * @param description the pass, for messages: "GPT-2 (12 layers) x 8192 tokens, batch 1, full capture"
 * @param patternShape one pattern's shape [B, H, T, K], for messages
 * @param patternsPerLayer how many patterns per layer the capture keeps
 */
public record MemoryEstimate(long weights, long kept, long patterns, long working, long kvCache, String description,
                             long[] patternShape, int patternsPerLayer) {

    /** System property that sets the budget for every pass (bytes, or with a k/m/g suffix): for tests and tight machines. */
    public static final String BUDGET_PROPERTY = "attnstudio.memory.budget";

    private static final long FLOAT = 4;

    /** Estimates a pass of {@code tokens} tokens over {@code past} cached ones. */
    public static MemoryEstimate of(ModelConfig c, int batch, int tokens, int past, Capture capture, boolean cache) {
        long b = batch;
        long t = tokens;
        long k = tokens + (long) past;
        long d = c.dModel();
        long q = (long) c.nHead() * c.dHead();
        long kv = (long) c.nKvHeads() * c.dHead();
        long m = c.dMlp();
        ModelSize size = ModelSize.of(c);
        long layers = size.layers();
        boolean rotary = size.rotary();
        long mlpHooks = size.gatedMlp() ? 3 : 2;

        long vector = b * t * d;
        long heads = 2 * b * t * q + 2 * b * t * kv;
        long pattern = b * c.nHead() * t * k;
        long mask = b * t * k;
        long mlp = b * t * m;
        long logits = b * t * c.vocabSize();

        long perLayer;
        long model;
        int patternsKept;
        switch (capture) {
            case FULL -> {
                perLayer = 7 * vector + heads + (rotary ? b * t * (q + kv) : 0) + 4 * pattern + mask + mlpHooks * mlp;
                model = (rotary ? 2 : 3) * vector + logits;
                patternsKept = 4;
            }
            case COMPACT -> {
                perLayer = 3 * vector + heads + (rotary ? b * t * kv : 0);
                model = (rotary ? 0 : 1) * vector + logits;
                patternsKept = 0;
            }
            case OFF -> {
                perLayer = 2 * b * t * kv;
                model = logits;
                patternsKept = 0;
            }
            default -> throw new AssertionError(capture);
        }
        long working = 4 * pattern + mask + mlpHooks * mlp + 4 * vector;
        long kvBytes = cache && size.generates() ? layers * 2 * b * k * kv * FLOAT : 0;
        String what = size.family() + " (" + layers + " layers, d_model " + d + ") x " + tokens
                + " token" + (tokens == 1 ? "" : "s") + (past > 0 ? " after " + past + " cached" : "") + ", batch "
                + batch + ", " + capture.name().toLowerCase(Locale.ROOT) + " capture";
        return new MemoryEstimate(size.parameters() * FLOAT, (layers * perLayer + model) * FLOAT,
                layers * patternsKept * pattern * FLOAT, working * FLOAT, kvBytes, what,
                new long[] {b, c.nHead(), t, k}, patternsKept);
    }

    /** Everything the pass needs at its peak: weights, what is kept, one layer's working set, the KV cache. */
    public long total() {
        return weights + kept + working + kvCache;
    }

    /** Returns the pattern shape (a copy). */
    @Override
    public long[] patternShape() {
        return patternShape.clone();
    }

    /**
     * The default budget: the weights (already resident) plus the memory the system reports available
     * ({@code MemAvailable} in /proc/meminfo), or {@link #BUDGET_PROPERTY} when set. Where neither is known (not
     * Linux), no limit.
     */
    public long defaultBudget() {
        String set = System.getProperty(BUDGET_PROPERTY);
        if (set != null && !set.isBlank()) {
            return parseBytes(set);
        }
        long available = memAvailable();
        return available < 0 ? Long.MAX_VALUE : weights + available;
    }

    /** {@code MemAvailable} from /proc/meminfo in bytes, or -1 where it cannot be read. */
    public static long memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.substring(13).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Refuses a pass that would not fit.
     *
     * @param budget bytes the engine may use in all, weights included
     * @throws OverBudget naming the figures, the largest part and the fixes
     */
    public void check(long budget) {
        if (total() <= budget) {
            return;
        }
        StringBuilder msg = new StringBuilder("this pass (" + description + ") needs about " + gib(total())
                + " of memory, more than the " + gib(budget) + " budget: weights " + gib(weights) + " (resident)"
                + ", kept activations " + gib(kept));
        if (patterns > 0) {
            msg.append(" (of which attention patterns ").append(gib(patterns)).append(": ")
                    .append(patternsPerLayer).append(" per layer of shape [B, H, T, K] = ")
                    .append(java.util.Arrays.toString(patternShape)).append(")");
        }
        msg.append(", one layer's working set ").append(gib(working));
        if (kvCache > 0) {
            msg.append(", KV cache ").append(gib(kvCache));
        }
        msg.append(". To fit: ");
        if (patterns > 0) {
            msg.append("use compact capture (patterns are then recomputed when read), or keep fewer hooks; ");
        }
        msg.append("or use a shorter prompt");
        if (patternShape[0] > 1) {
            msg.append(" or a smaller batch");
        }
        msg.append(".");
        throw new OverBudget(msg.toString(), this, budget);
    }

    /** {@link #check(long)} against {@link #defaultBudget()}. */
    public void check() {
        check(defaultBudget());
    }

    private static String gib(long bytes) {
        return bytes == Long.MAX_VALUE ? "unlimited" : String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
    }

    /** "4g", "512m", "1073741824": bytes. */
    static long parseBytes(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = s.charAt(s.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            s = s.substring(0, s.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(s.trim()), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(BUDGET_PROPERTY + " must be a number of bytes such as 4g or 512m, was '"
                    + text + "'", e);
        }
    }

    /** A pass refused because its estimate exceeds the budget; the message names the figures and the fixes. */
    public static final class OverBudget extends IllegalArgumentException {
        private final transient MemoryEstimate estimate;
        private final long budget;

        OverBudget(String message, MemoryEstimate estimate, long budget) {
            super(message);
            this.estimate = estimate;
            this.budget = budget;
        }

        public MemoryEstimate estimate() {
            return estimate;
        }

        public long budget() {
            return budget;
        }
    }
}
