package dev.attnstudio.engine.diagnose.rollout;

import org.jgrapht.alg.flow.PushRelabelMFImpl;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.SimpleDirectedWeightedGraph;

/**
 * Attention flow (Abnar and Zuidema 2020): the layers as a flow network whose nodes are (layer, position), layer 0
 * being the input tokens; the edge from (l, i) down to (l - 1, j) has capacity A_hat_l[i, j] = (0.5 A_bar_l + 0.5 I)
 * with rows renormalized, as in rollout. The flow of input j into output position q is the maximum flow from (L, q) to
 * (0, j); a path carries no more than its weakest edge (the minimum, where rollout multiplies). Each output's flows
 * are then normalized to sum to 1.
 *
 * <p>One max-flow per input token over L n nodes and up to L n^2 edges (the paper's cost is O(L^2 n^4) for all
 * outputs), so it is limited to {@value #MAX_TOKENS} tokens.
 */
public final class AttentionFlow {

    /** The longest prompt flow accepts. */
    public static final int MAX_TOKENS = 64;

    /**
     * @param raw        [n] max-flow value from output q to each input token
     * @param normalized [n] the same divided by its sum
     */
    public record Flow(int query, double[] raw, double[] normalized) {
    }

    private AttentionFlow() {
    }

    /**
     * The flow from output position {@code query} (an index among the n real tokens) to every input token.
     *
     * @throws IllegalArgumentException beyond {@value #MAX_TOKENS} tokens, saying why and what to use instead
     */
    public static Flow of(LayerPatterns p, int query) {
        int n = p.tokens();
        if (n > MAX_TOKENS) {
            throw new IllegalArgumentException("attention flow solves one max-flow problem per input token on a graph of "
                    + (p.layers() + 1) + " x " + n + " nodes; it is limited to " + MAX_TOKENS + " tokens and this prompt"
                    + " has " + n + ". Use attention rollout (no limit) or a shorter prompt.");
        }
        if (query < 0 || query >= n) {
            throw new IllegalArgumentException("query " + query + " is outside the " + n + " tokens");
        }
        int layers = p.layers();
        SimpleDirectedWeightedGraph<Integer, DefaultWeightedEdge> g = new SimpleDirectedWeightedGraph<>(DefaultWeightedEdge.class);
        for (int v = 0; v < (layers + 1) * n; v++) {
            g.addVertex(v);
        }
        for (int l = 1; l <= layers; l++) {
            float[][] heads = p.heads()[l - 1];
            for (int i = 0; i < n; i++) {
                double[] row = new double[n];
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    double mean = 0;
                    for (float[] head : heads) {
                        mean += head[i * n + j];
                    }
                    row[j] = 0.5 * mean / heads.length + (i == j ? 0.5 : 0);
                    sum += row[j];
                }
                for (int j = 0; j < n; j++) {
                    if (row[j] > 0 && sum > 0) {
                        DefaultWeightedEdge e = g.addEdge(l * n + i, (l - 1) * n + j);
                        g.setEdgeWeight(e, row[j] / sum);
                    }
                }
            }
        }
        PushRelabelMFImpl<Integer, DefaultWeightedEdge> maxFlow = new PushRelabelMFImpl<>(g);
        double[] raw = new double[n];
        double total = 0;
        for (int j = 0; j < n; j++) {
            raw[j] = maxFlow.getMaximumFlowValue(layers * n + query, j);
            total += raw[j];
        }
        double[] normalized = new double[n];
        for (int j = 0; j < n; j++) {
            normalized[j] = total == 0 ? 0 : raw[j] / total;
        }
        return new Flow(query, raw, normalized);
    }
}
