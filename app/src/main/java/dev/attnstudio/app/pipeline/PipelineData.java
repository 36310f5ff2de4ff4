package dev.attnstudio.app.pipeline;

import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Op;
import dev.attnstudio.engine.program.PassKind;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.Trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pass under the cursor drawn as a diagram: its units (embedding, each block, unembedding; for an
 * encoder-decoder, {@code encoder.blocks.i} and {@code decoder.blocks.i}) in order, each holding its steps.
 * Everything is derived from the program's hook names, step inputs and step-over groups, not from the
 * architecture: a step shares a row with the steps before it when it reads none of them (Q, K and V side by
 * side; the mask next to the scaled scores), and consecutive steps of one sub-module ({@code attn},
 * {@code cross_attn}, {@code mlp}) form a section.
 *
 * @param group    index of the step group (pass) shown, as {@link Stepper.StepInfo#group()}
 * @param kind     what kind of pass it is
 * @param executed steps of this pass computed so far
 * @param current  index of the step under the cursor in this pass, or -1 before the first step
 */
public record PipelineData(int group, PassKind kind, int executed, int current, List<Unit> units) {

    /** Nothing to draw: no prompt yet. */
    public static final PipelineData EMPTY = new PipelineData(-1, PassKind.PREFILL, 0, -1, List.of());

    /** At most this many independent steps share a row. */
    static final int ROW_WIDTH = 3;

    /**
     * One step-over unit.
     *
     * @param name  the program's group name ({@code embed}, {@code blocks.3}, {@code decoder.blocks.0})
     * @param title for people: "Block 3", "Decoder block 0"
     */
    public record Unit(String name, String title, List<Node> nodes) {
        public Unit {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * One step.
     *
     * @param index    the step's index in its pass (what a jump asks for)
     * @param hook     its full hook name
     * @param label    a short name for the diagram: "Q", "softmax", "out-proj"
     * @param module   the sub-module the hook belongs to ({@code attn}, {@code mlp}, {@code ln1}; empty for
     *                 hooks directly on the block or the model)
     * @param row      row within its unit; steps on one row do not read each other
     * @param shape    the recorded shape once computed ({@code [1, 12, 9, 9]}), else the documented one
     *                 ({@code [B, H, T, K]}, or {@code ?} for a hook the table does not list)
     * @param computed whether the step has run in this pass
     * @param branchOf for a step on the second of two parallel branches (GPT-NeoX's parallel residual: the MLP's
     *                 norm reads the block's input, as attention's does), the step both branches start from; null on
     *                 the main line (and for the step that joins the branches)
     */
    public record Node(int index, String hook, String label, String module, int row, String shape, boolean computed,
                       String math, String branchOf) {
    }

    public PipelineData {
        units = List.copyOf(units);
    }

    /** The steps of every unit in pass order. */
    public List<Node> nodes() {
        List<Node> all = new ArrayList<>();
        units.forEach(u -> all.addAll(u.nodes()));
        return all;
    }

    /** Reads the pass under the cursor. Call on the engine thread (it reads the stepper). */
    public static PipelineData from(Stepper stepper) {
        if (stepper.groups().isEmpty()) {
            return EMPTY;
        }
        Stepper.StepInfo at = stepper.current();
        Stepper.Group g = stepper.group();
        Trace trace = g.trace();
        int group = at != null ? at.group() : stepper.groups().indexOf(g);
        return of(trace.program(), trace.executed(), i -> trace.shapeOf(trace.program().op(i).name()),
                group, g.kind(), at == null ? -1 : at.index());
    }

    /**
     * Builds the diagram of a program.
     *
     * @param executed steps run so far; {@code recordedShape} is asked only for these
     */
    public static PipelineData of(Program program, int executed, IntFunction<long[]> recordedShape, int group,
                                  PassKind kind, int current) {
        List<Unit> units = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        String unit = null;
        int row = -1;
        int rowSize = 0;
        Set<String> rowNames = new HashSet<>();
        Branches branches = new Branches();
        for (int i = 0; i < program.size(); i++) {
            Op op = program.op(i);
            if (!op.group().equals(unit)) {
                if (unit != null) {
                    units.add(new Unit(unit, unitTitle(unit), nodes));
                }
                unit = op.group();
                nodes = new ArrayList<>();
                row = -1;
                rowSize = 0;
                rowNames.clear();
                branches = new Branches();
            }
            String module = module(op.name());
            boolean joins = row >= 0 && rowSize < ROW_WIDTH && op.inputs().stream().noneMatch(rowNames::contains)
                    && module.equals(nodes.get(nodes.size() - 1).module());
            if (!joins) {
                row++;
                rowSize = 0;
                rowNames.clear();
            }
            rowSize++;
            rowNames.add(op.name());
            boolean computed = i < executed;
            String shape = computed ? Arrays.toString(recordedShape.apply(i)) : HookName.documentedShape(op.name());
            String branchOf = branches.next(op, !joins, i > 0 ? program.op(i - 1).name() : null);
            nodes.add(new Node(i, op.name(), label(op), module, row, shape, computed, op.math(), branchOf));
        }
        if (unit != null) {
            units.add(new Unit(unit, unitTitle(unit), nodes));
        }
        return new PipelineData(group, kind, executed, current, units);
    }

    /**
     * Finds two parallel branches in one unit from the steps' inputs alone. A step that starts a row, does not read the
     * step before it, and reads only steps of this unit of which one already has a reader, starts a second branch from
     * that step (GPT-NeoX: {@code ln2} reads {@code resid_pre}, which {@code ln1} read). The branch lasts until a step
     * reads both a branch step and a step off the branch (GPT-NeoX: {@code resid_post}), which joins them.
     */
    private static final class Branches {
        private final Set<String> seen = new HashSet<>();     // steps of this unit so far
        private final Set<String> read = new HashSet<>();     // steps of this unit some later step reads
        private final Set<String> branch = new HashSet<>();   // steps on the second branch
        private String from;                                  // the step the open branch started from, or null

        /** The step the branch {@code op} is on started from, or null on the main line. */
        String next(Op op, boolean startsRow, String previous) {
            List<String> inputs = op.inputs();
            if (from == null && startsRow && !inputs.isEmpty() && (previous == null || !inputs.contains(previous))
                    && seen.containsAll(inputs) && inputs.stream().anyMatch(read::contains)) {
                from = inputs.stream().filter(read::contains).findFirst().orElseThrow();
            } else if (from != null && inputs.stream().anyMatch(branch::contains)
                    && inputs.stream().anyMatch(in -> seen.contains(in) && !branch.contains(in))) {
                from = null; // the join
            }
            seen.add(op.name());
            read.addAll(inputs);
            if (from != null) {
                branch.add(op.name());
            }
            return from;
        }
    }

    // ---- names ------------------------------------------------------------------------------------------

    /** {@code [prefix.]blocks.{i}.rest}; the prefix names a stack in an encoder-decoder. */
    private static final Pattern IN_BLOCK = Pattern.compile("((?:[a-z_]+\\.)*)blocks\\.(\\d+)\\.(.+)");
    /** A step-over group: {@code [stack.]embed}, {@code [stack.]blocks.{i}}, {@code [stack.]unembed}. */
    private static final Pattern UNIT = Pattern.compile("((?:[a-z_]+\\.)*?)(embed|unembed|blocks\\.(\\d+))");

    /** Short names of the hook points, by their last part. Hooks not listed show their own name without "hook_". */
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("hook_embed", "embed"),
            Map.entry("hook_pos_embed", "+pos"),
            Map.entry("hook_token_type_embed", "+segment"),
            Map.entry("hook_resid_pre", "resid in"),
            Map.entry("hook_q", "Q"),
            Map.entry("hook_k", "K"),
            Map.entry("hook_v", "V"),
            Map.entry("hook_rot_q", "rotate Q"),
            Map.entry("hook_rot_k", "rotate K"),
            Map.entry("hook_past_k", "cached K"),
            Map.entry("hook_past_v", "cached V"),
            Map.entry("hook_qk_raw", "Q\u00b7K\u1d40"),
            Map.entry("hook_attn_scores_unmasked", "scale"),
            Map.entry("hook_attn_scores_capped", "soft-cap"),
            Map.entry("hook_mask", "mask"),
            Map.entry("hook_attn_scores", "+ mask"),
            Map.entry("hook_pattern", "softmax"),
            Map.entry("hook_z", "z"),
            Map.entry("hook_attn_out", "out-proj"),
            Map.entry("hook_resid_mid", "residual +"),
            Map.entry("hook_pre", "FFN in"),
            Map.entry("hook_pre_linear", "FFN up"),
            Map.entry("hook_post", "activation"),
            Map.entry("hook_mlp_out", "FFN out"),
            Map.entry("hook_resid_post", "residual +"),
            Map.entry("hook_logits_uncapped", "unembed"),
            Map.entry("hook_logits", "logits"));

    /** Norms inside attention (Qwen3's q_norm and k_norm), named by what they normalize. */
    private static final Map<String, String> HEAD_NORMS = Map.of("hook_q_normed", "RMSNorm Q", "hook_k_normed", "RMSNorm K");

    /** The short name of a step: from its hook's last part; a norm says which kind it is (the step's norm type). */
    static String label(Op op) {
        String name = op.name();
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (op.kind() == Op.Kind.NORM) {
            return HEAD_NORMS.getOrDefault(last, op.norm() == Op.NormType.RMS_NORM ? "RMSNorm" : "LayerNorm");
        }
        if (op.kind() == Op.Kind.SOFTCAP && last.equals("hook_logits")) {
            return "soft-cap logits";
        }
        String known = LABELS.get(last);
        return known != null ? known : last.replaceFirst("^hook_", "");
    }

    /** The sub-module part of a hook name: {@code attn} for {@code blocks.0.attn.hook_q}, empty for {@code hook_embed}. */
    static String module(String hook) {
        Matcher m = IN_BLOCK.matcher(hook);
        String rest = m.matches() ? m.group(3) : hook;
        int dot = rest.lastIndexOf('.');
        return dot < 0 ? "" : rest.substring(0, dot);
    }

    /** "Block 3", "Encoder block 3", "Embedding", "Decoder unembedding"; other group names as they are. */
    static String unitTitle(String group) {
        Matcher m = UNIT.matcher(group);
        if (!m.matches()) {
            return group;
        }
        String stack = m.group(1).replace('.', ' ').replace('_', ' ').strip();
        String what = switch (m.group(2)) {
            case "embed" -> "embedding";
            case "unembed" -> "unembedding";
            default -> "block " + m.group(3);
        };
        String title = stack.isEmpty() ? what : stack + " " + what;
        return Character.toUpperCase(title.charAt(0)) + title.substring(1);
    }

    /** A section title for a sub-module: "attention", "cross-attention", "MLP". */
    static String moduleTitle(String module) {
        String last = module.substring(module.lastIndexOf('.') + 1);
        return switch (last) {
            case "attn" -> "attention";
            case "mlp" -> "MLP";
            default -> last.replace('_', '-').replace("attn", "attention");
        };
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PipelineData[group %d, %s, %d units, %d computed, current %d]",
                group, kind, units.size(), executed, current);
    }
}
