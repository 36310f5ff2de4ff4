package dev.attnstudio.app.main;

import dev.attnstudio.app.tokens.TokenChip;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.app.views.ViewContext;
import dev.attnstudio.app.views.ViewFeeds;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.program.Program;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.Trace;

import java.util.ArrayList;
import java.util.List;

/** Engine thread: reads the pass under the cursor into a {@link PassSnapshot}, the views' data included. */
final class PassSnapshots {

    private PassSnapshots() {
    }

    /**
     * Everything the UI shows about the pass under the cursor, and every active view's data.
     *
     * @param done         the message to show, or null
     * @param followCursor whether the shared selection moves to the block (and stack) the cursor is in: after a
     *                     command, not when the user changed the selection
     */
    static PassSnapshot take(EnginePass pass, SelectionViewModel.Chosen selected, ViewFeeds feeds, Status done,
                             boolean followCursor) {
        Stepper stepper = pass.stepper();
        if (stepper == null || pass.error() != null) {
            return PassSnapshot.empty(pass.tokens(), done);
        }
        ModelInfo info = pass.info();
        Stepper.Group group = stepper.group();
        Trace trace = group.trace();
        Program program = trace.program();
        Stepper.StepInfo current = stepper.current();
        int cursor = current == null ? -1 : current.index();
        AttentionSource source = shownSource(info, selected, current, followCursor);
        int layerAt = current == null || !followCursor ? -1 : blockOf(current.name(), source, info);
        List<List<TokenChip>> tokens = info.encoderDecoder() ? pass.tokens() : withGenerated(pass, pass.tokens());
        List<TokenChip> decoder = info.encoderDecoder() ? decoderChips(pass) : List.of();
        // the encoder in a decode pass, which reads the cached encoder output: the pass that ran the encoder
        boolean whole = selected.wholeSequence() || source.layers(program) == 0;
        ViewContext context = new ViewContext(pass.model(), tokens, decoder,
                SelectionViewModel.clamp(layerAt >= 0 ? layerAt : selected.layer(), info.layers()),
                SelectionViewModel.clamp(selected.head(), info.heads()), SelectionViewModel.clamp(selected.row(), tokens.size()),
                source, whole);
        return new PassSnapshot(tokens, decoder, rows(program, trace, cursor), stepper.groups().indexOf(group),
                stepper.groups().size(), cursor, trace.executed(), details(current, info.architecture()), layerAt, source,
                feeds.build(stepper, context), done);
    }

    private static List<StepRow> rows(Program program, Trace trace, int cursor) {
        List<StepRow> rows = new ArrayList<>(program.size());
        Trace.NonFinite first = trace.firstNonFinite().orElse(null);
        for (int i = 0; i < program.size(); i++) {
            String unit = program.op(i).group();
            boolean unitStart = i == 0 || !program.op(i - 1).group().equals(unit);
            StepRow.State state = i == cursor ? StepRow.State.CURRENT
                    : i < trace.executed() ? StepRow.State.COMPUTED : StepRow.State.PENDING;
            rows.add(new StepRow(i, program.op(i).name(), unit, unitStart, state,
                    i < trace.executed() ? trace.patches(program.op(i).name()) : List.of(),
                    first != null && first.step() == i ? first.what() : null));
        }
        return List.copyOf(rows);
    }

    /** @param family the open model's, whose meaning of the hook is shown */
    private static StepDetails details(Stepper.StepInfo current, String family) {
        return current == null ? null : new StepDetails(current.index(), current.steps(), current.name(), current.unit(),
                current.math(), current.inputs(), current.shape(), documentedShape(current.name()),
                meaning(current.name(), family), current.patches());
    }

    /**
     * The attention the views show: {@link AttentionSource#SELF} for single-stack models; for an encoder-decoder the
     * user's choice once they made one, else the stack the cursor is in after a command (the encoder's to begin with).
     */
    private static AttentionSource shownSource(ModelInfo info, SelectionViewModel.Chosen selected,
                                               Stepper.StepInfo current, boolean followCursor) {
        if (!info.encoderDecoder()) {
            return AttentionSource.SELF;
        }
        AttentionSource chosen = selected.source() == null || selected.source().equals(AttentionSource.SELF)
                ? AttentionSource.ENCODER : selected.source();
        if (selected.sourcePinned() || !followCursor || current == null) {
            return chosen;
        }
        String name = current.name();
        if (name.startsWith("encoder.")) {
            return AttentionSource.ENCODER;
        }
        return name.contains(".cross_attn.") ? AttentionSource.CROSS : AttentionSource.DECODER;
    }

    /** Row 0 followed by the tokens generated so far, marked (a decoder's generation is batch 1). */
    private static List<List<TokenChip>> withGenerated(EnginePass pass, List<List<TokenChip>> rows) {
        Stepper stepper = pass.stepper();
        if (rows.size() != 1 || stepper.groups().size() < 2) {
            return rows;
        }
        long[] sequence = stepper.tokens();
        List<TokenChip> row = new ArrayList<>(rows.get(0));
        int prompt = row.size();
        for (int i = prompt; i < sequence.length; i++) {
            row.add(TokenChip.generated(i, sequence[i], pass.tokenText(sequence[i]), false, sampled(stepper, i - prompt)));
        }
        return List.of(List.copyOf(row));
    }

    /**
     * An encoder-decoder's decoder sequence; its first token (the start token) is marked special, and the tokens after
     * the prompt's decoder ids generated.
     */
    private static List<TokenChip> decoderChips(EnginePass pass) {
        Stepper stepper = pass.stepper();
        long[] sequence = stepper.tokens();
        int given = stepper.groups().get(0).inputs().decoderLength();
        List<TokenChip> row = new ArrayList<>(sequence.length);
        for (int i = 0; i < sequence.length; i++) {
            String text = pass.tokenText(sequence[i]);
            row.add(i < given ? new TokenChip(i, sequence[i], text, i == 0)
                    : TokenChip.generated(i, sequence[i], text, false, sampled(stepper, i - given)));
        }
        return List.copyOf(row);
    }

    /** The {@code n}th generated token (0-based): sampled from pass n's logits, read by pass n + 1. */
    private static TokenChip.Sampled sampled(Stepper stepper, int n) {
        return new TokenChip.Sampled(n + 1, stepper.groups().get(n).next().probability());
    }

    /**
     * The block a hook is in, when that block belongs to the shown attention's stack (an encoder-decoder's decoder
     * blocks hold its decoder self- and cross-attention), else -1: the layer follows the cursor within the stack shown.
     */
    private static int blockOf(String name, AttentionSource shown, ModelInfo info) {
        try {
            HookName.Parsed p = HookName.parse(name);
            if (!p.inBlock() || info.encoderDecoder() && !name.startsWith(shown.stack() + ".")) {
                return -1;
            }
            return p.layer();
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private static String documentedShape(String name) {
        try {
            return HookName.shapeOf(name);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String meaning(String name, String family) {
        try {
            return HookName.parse(name).meaningIn(family);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
