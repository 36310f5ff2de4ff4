package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.model.Capabilities;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every probe a lesson may name, by name. Adding a probe is one entry in one of the group classes; the README's
 * table is checked against this list by a test.
 */
public final class ProbeCatalogue {

    private static final Map<String, Probe> PROBES = new LinkedHashMap<>();

    static {
        List<Probe> all = new ArrayList<>();
        all.addAll(AttentionProbes.all());
        all.addAll(HeadScoreProbes.all());
        all.addAll(StructureProbes.all());
        all.addAll(MaskBugProbes.all());
        for (Probe p : all) {
            if (PROBES.put(p.name(), p) != null) {
                throw new IllegalStateException("two probes are named " + p.name());
            }
        }
    }

    private ProbeCatalogue() {
    }

    public static List<Probe> all() {
        return List.copyOf(PROBES.values());
    }

    public static List<String> names() {
        return List.copyOf(PROBES.keySet());
    }

    public static Optional<Probe> find(String name) {
        return Optional.ofNullable(PROBES.get(name));
    }

    /** The probe of a call the reader has accepted. */
    public static Probe of(ProbeCall call) {
        return find(call.probe()).orElseThrow(() -> new ProbeException(null, "no probe named " + call.probe()));
    }

    /**
     * What can be checked against a model before anything runs: the stack exists, layers and heads are in range, hook
     * names exist in the model. Each problem names its parameter.
     */
    public static List<ProbeException> check(ProbeCall call, Capabilities c, String model) {
        List<ProbeException> problems = new ArrayList<>();
        Probe probe = of(call);
        String stack = call.string("stack", null);
        for (Param p : probe.params()) {
            if (!call.has(p.name())) {
                continue;
            }
            try {
                switch (p.type()) {
                    case STACK -> Sites.site(c, stack, model);
                    case LAYER -> {
                        if (!probe.name().equals("kv-cache-bytes")) {
                            Sites.layer(c, stack, call.integer(p.name()), model);
                        }
                    }
                    case HEAD -> Sites.checkHead(c, call.integer(p.name()), model);
                    case HOOK -> Sites.checkHook(c, call.string(p.name(), ""), model, p.name());
                    default -> {
                    }
                }
            } catch (ProbeException e) {
                problems.add(e.param() == null ? new ProbeException(p.name(), e.getMessage()) : e);
            }
        }
        Map<String, ProbeException> distinct = new LinkedHashMap<>();
        problems.forEach(e -> distinct.putIfAbsent(e.param() + ": " + e.getMessage(), e));
        return List.copyOf(distinct.values());
    }
}
