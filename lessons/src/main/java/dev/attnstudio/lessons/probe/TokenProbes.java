package dev.attnstudio.lessons.probe;

import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Probes of the prompt's tokens as the model's tokenizer made them: how many there are of a kind, the id at a position,
 * the positions as options, and where the first (or last) token of a kind is. They read the prompt's pass (pass 0): its
 * ids and attention mask (for an encoder-decoder, the source the encoder reads).
 */
final class TokenProbes {

    /** What {@code token-count} counts. */
    static final List<String> COUNTS = List.of("all", "real", "text", "special", "padding", "unknown", "distinct",
            "continuation", "characters");

    /** The kinds {@code find-token} looks for. */
    static final List<String> KINDS = List.of("special", "unknown", "continuation", "padding", "real");

    private TokenProbes() {
    }

    static List<Probe> all() {
        return List.of(tokenCount(), tokenId(), tokens(), findToken());
    }

    private static final Param ROW = Param.optional("row", ParamType.ROW, "the batch row (default 0)");

    /** One row of the prompt as the tokenizer made it: each token's id, text and kind. */
    record Row(int row, long[] ids, boolean[] real, boolean[] special, String[] texts, Tokenizer tokenizer) {

        static Row of(EngineContext ctx, ProbeCall call) {
            Batch prompt = ctx.group(0).inputs();
            int row = call.integer("row", 0);
            if (row < 0 || row >= prompt.size()) {
                throw new ProbeException("row", "row " + row + " does not exist: the prompt has " + prompt.size()
                        + " row(s)");
            }
            long[] ids = prompt.ids()[row];
            long[] mask = prompt.attentionMask()[row];
            Tokenizer tokenizer = ctx.model().tokenizer();
            Set<Long> specials = specialIds(tokenizer);
            boolean[] real = new boolean[ids.length];
            boolean[] special = new boolean[ids.length];
            String[] texts = new String[ids.length];
            for (int t = 0; t < ids.length; t++) {
                real[t] = mask[t] != 0;
                special[t] = real[t] && specials.contains(ids[t]);
                texts[t] = tokenizer == null ? "#" + ids[t] : tokenizer.decode(ids[t]);
            }
            return new Row(row, ids, real, special, texts, tokenizer);
        }

        int size() {
            return ids.length;
        }

        boolean unknown(int t) {
            String s = texts[t].toLowerCase(Locale.ROOT);
            return real[t] && tokenizer != null && (s.equals("[unk]") || s.equals("<unk>"));
        }

        boolean continuation(int t) {
            return real[t] && !special[t] && texts[t].startsWith("##") && texts[t].length() > 2;
        }

        boolean is(String kind, int t) {
            return switch (kind) {
                case "special" -> special[t];
                case "unknown" -> unknown(t);
                case "continuation" -> continuation(t);
                case "padding" -> !real[t];
                case "real" -> real[t];
                case "text" -> real[t] && !special[t];
                default -> true;
            };
        }

        /** The text of the real, non-special tokens, decoded together as the tokenizer would print it. */
        String text() {
            List<Long> kept = new ArrayList<>();
            for (int t = 0; t < ids.length; t++) {
                if (real[t] && !special[t]) {
                    kept.add(ids[t]);
                }
            }
            return tokenizer.decode(kept.stream().mapToLong(Long::longValue).toArray());
        }

        /** How one token is written for a student: {@code 'G'}, {@code '␣'}, {@code [CLS]}, {@code #195}. */
        String shown(int t) {
            return "'" + visible(texts[t], ids[t]) + "'";
        }

        String listing() {
            List<String> parts = new ArrayList<>();
            for (int t = 0; t < ids.length; t++) {
                parts.add(t + " " + shown(t) + (real[t] ? "" : " (padding)"));
            }
            return String.join(", ", parts);
        }

        Tokenizer needTokenizer(String what) {
            if (tokenizer == null) {
                throw new ProbeException(null, "the model has no tokenizer, so its tokens have no " + what);
            }
            return tokenizer;
        }
    }

    /**
     * The ids the tokenizer adds as special tokens ([CLS], [SEP], </s>, ...): those its post-processor puts around an
     * empty text and around a pair of texts.
     */
    static Set<Long> specialIds(Tokenizer tokenizer) {
        Set<Long> out = new HashSet<>();
        if (tokenizer == null) {
            return out;
        }
        for (Tokenizer.Tokens t : List.of(tokenizer.encode(""), tokenizer.encodePair("a", "b"))) {
            for (int i = 0; i < t.size(); i++) {
                if (t.special()[i]) {
                    out.add(t.ids()[i]);
                }
            }
        }
        return out;
    }

    /** A token's text with its spaces and control characters made visible; a lone byte of a character as #id. */
    static String visible(String text, long id) {
        if (text.isEmpty() || text.indexOf('\uFFFD') >= 0) {
            return "#" + id;
        }
        StringBuilder s = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c == ' ') {
                s.append('\u2423');
            } else if (c == '\n') {
                s.append("\\n");
            } else if (c == '\t') {
                s.append("\\t");
            } else if (Character.isISOControl(c)) {
                s.append(String.format(Locale.ROOT, "\\x%02x", c));
            } else {
                s.appendCodePoint(c);
            }
        });
        return s.toString();
    }

    private static Probe tokenCount() {
        return Probe.of("token-count", "how many tokens a row of the prompt has: all, real (not padding), text (real and"
                        + " not special), special, padding, unknown, distinct ids, word-piece continuations (##); or, to"
                        + " compare, the characters of the text its tokens decode to",
                List.of(Param.choice("count", false, "what to count (default all)", COUNTS), ROW),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    Row r = Row.of(ctx, call);
                    String count = call.string("count", "all");
                    int n;
                    String what;
                    switch (count) {
                        case "characters" -> {
                            r.needTokenizer("text");
                            String text = r.text();
                            n = text.codePointCount(0, text.length());
                            what = "The tokens decode to \"" + text + "\", " + n + " character(s); the tokenizer made of it: "
                                    + r.listing() + ".";
                        }
                        case "distinct" -> {
                            Set<Long> seen = new LinkedHashSet<>();
                            for (int t = 0; t < r.size(); t++) {
                                if (r.real[t]) {
                                    seen.add(r.ids[t]);
                                }
                            }
                            n = seen.size();
                            what = "Row " + r.row + " reads " + n + " different id(s) " + seen + ": " + r.listing() + ".";
                        }
                        default -> {
                            if (!count.equals("all") && !count.equals("real") && !count.equals("padding")) {
                                r.needTokenizer("kinds");
                            }
                            List<String> hits = new ArrayList<>();
                            for (int t = 0; t < r.size(); t++) {
                                if (r.is(count, t)) {
                                    hits.add(t + " " + r.shown(t));
                                }
                            }
                            n = hits.size();
                            what = "Row " + r.row + " is " + r.size() + " token(s): " + r.listing() + ". "
                                    + (count.equals("all") ? "" : n + " of them " + (n == 1 ? "is " : "are ")
                                    + plural(count) + (hits.isEmpty() ? "" : ": " + String.join(", ", hits)) + ".");
                        }
                    }
                    return new Probe.Evaluation(new Answer.Number(n), what.strip());
                });
    }

    private static String plural(String kind) {
        return switch (kind) {
            case "real" -> "real (not padding)";
            case "text" -> "tokens of the text (neither special nor padding)";
            case "special" -> "special tokens the tokenizer added";
            case "padding" -> "padding";
            case "unknown" -> "the unknown token";
            case "continuation" -> "word-piece continuations (##)";
            default -> kind;
        };
    }

    private static String singular(String kind) {
        return switch (kind) {
            case "real" -> "real token (not padding)";
            case "special" -> "special token";
            case "padding" -> "padding position";
            case "unknown" -> "unknown token";
            case "continuation" -> "word-piece continuation (##)";
            default -> kind;
        };
    }

    private static Probe tokenId() {
        return Probe.of("token-id", "the id of the token at a position of the prompt",
                List.of(Param.required("position", ParamType.QUERY, "the position (from 0)"), ROW),
                call -> AnswerKind.NUMBER,
                (call, ctx) -> {
                    Row r = Row.of(ctx, call);
                    int p = call.integer("position");
                    if (p < 0 || p >= r.size()) {
                        throw new ProbeException("position", "position " + p + " does not exist: row " + r.row + " has "
                                + r.size() + " tokens (0-" + (r.size() - 1) + ")");
                    }
                    return new Probe.Evaluation(new Answer.Number(r.ids[p]), "Position " + p + " of row " + r.row
                            + " holds " + r.shown(p) + ", id " + r.ids[p] + " (the row: " + r.listing() + ").");
                });
    }

    private static Probe tokens() {
        return Probe.of("tokens", "the positions of a row of the prompt as the options of a multiple choice (ids are"
                        + " the positions, labels show each token)",
                List.of(ROW),
                call -> AnswerKind.OPTIONS,
                (call, ctx) -> {
                    Row r = Row.of(ctx, call);
                    List<Answer.Option> options = new ArrayList<>();
                    for (int t = 0; t < r.size(); t++) {
                        options.add(new Answer.Option(Integer.toString(t), t + ": " + r.shown(t)
                                + (r.real[t] ? "" : " (padding)")));
                    }
                    return new Probe.Evaluation(new Answer.Options(options), options.size() + " positions");
                });
    }

    private static Probe findToken() {
        return Probe.of("find-token", "the position (as an option id of tokens) of the first, or last, token of a kind in"
                        + " a row of the prompt",
                List.of(Param.choice("kind", true, "special, unknown, continuation (a ## word piece), padding or real",
                        KINDS), Param.optional("last", ParamType.BOOL, "the last one instead of the first (default"
                        + " false)"), ROW),
                call -> AnswerKind.CHOICE,
                (call, ctx) -> {
                    Row r = Row.of(ctx, call);
                    String kind = call.string("kind", "special");
                    if (!kind.equals("padding") && !kind.equals("real")) {
                        r.needTokenizer("kinds");
                    }
                    boolean last = call.bool("last", false);
                    int found = -1;
                    for (int t = 0; t < r.size(); t++) {
                        if (r.is(kind, t) && (found < 0 || last)) {
                            found = t;
                        }
                    }
                    if (found < 0) {
                        throw new ProbeException("kind", "row " + r.row + " has no " + singular(kind) + ": " + r.listing());
                    }
                    return new Probe.Evaluation(new Answer.Choice(Integer.toString(found)), "The " + (last ? "last" : "first")
                            + " " + singular(kind) + " of row " + r.row + " is at position " + found + ": " + r.shown(found)
                            + " (the row: " + r.listing() + ").");
                });
    }
}
