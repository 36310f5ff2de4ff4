package dev.attnstudio.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/** The loading step the models share: a weight that is also a parameter, recorded under its checkpoint name. */
final class Parameters {

    private Parameters() {
    }

    /** Loads a tensor of exactly this shape and records it as a parameter under its checkpoint name. */
    static NDArray take(WeightSource source, Map<String, NDArray> params, String name, NDManager m, long... shape) {
        NDArray a = source.require(name, m, shape);
        params.put(name, a);
        return a;
    }
}
