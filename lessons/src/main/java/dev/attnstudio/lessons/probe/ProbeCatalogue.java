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
        all.addAll(AblationProbes.all());
        all.addAll(StreamProbes.all());
        all.addAll(GenerationProbes.all());
        all.addAll(TokenProbes.all());
        all.addAll(HookProbes.all());
        all.addAll(PositionProbes.all());
        all.addAll(HeadMathProbes.all());
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
     * The catalogue as a Markdown table (probe, answer, parameters, what it measures), as the authors' README shows
     * it. Required parameters are in bold; a choice lists its values.
     */
    public static String table() {
        StringBuilder s = new StringBuilder("| probe | answer | parameters | what it measures |\n|---|---|---|---|\n");
        for (Probe p : all()) {
            List<String> params = new ArrayList<>();
            for (Param param : p.params()) {
                String values = param.type() == ParamType.CHOICE || (param.type() == ParamType.NAMES
                        && !param.choices().isEmpty() && param.choices().size() <= 8)
                        ? " (" + String.join(" \\| ", param.choices()) + ")" : "";
                params.add(param.required() ? "**" + param.name() + "**" + values : param.name() + values);
            }
            s.append("| `").append(p.name()).append("` | ").append(answers(p)).append(" | ")
                    .append(params.isEmpty() ? "none" : String.join(", ", params)).append(" | ").append(p.help())
                    .append(" |\n");
        }
        return s.toString();
    }

    /** The answer kind a probe gives with its required parameters, and each optional parameter that changes it. */
    private static String answers(Probe p) {
        Map<String, Object> required = new LinkedHashMap<>();
        for (Param param : p.params()) {
            if (param.required()) {
                required.put(param.name(), sample(param));
            }
        }
        AnswerKind base = p.kind(new ProbeCall(p.name(), required));
        StringBuilder s = new StringBuilder(lower(base));
        for (Param param : p.params()) {
            if (!param.required()) {
                Map<String, Object> more = new LinkedHashMap<>(required);
                more.put(param.name(), sample(param));
                AnswerKind k = p.kind(new ProbeCall(p.name(), more));
                if (k != base) {
                    s.append("; ").append(lower(k)).append(" with ").append(param.name());
                }
            }
        }
        return s.toString();
    }

    private static Object sample(Param param) {
        if (param.type().integral) {
            return 0L;
        }
        return param.type() == ParamType.BOOL ? Boolean.FALSE : param.type() == ParamType.NAMES ? List.of() : "x";
    }

    private static String lower(AnswerKind k) {
        return k.name().toLowerCase(java.util.Locale.ROOT);
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
