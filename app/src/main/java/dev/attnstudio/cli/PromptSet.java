package dev.attnstudio.cli;

import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.model.Capabilities;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompts a measuring command ({@code diagnose}, {@code diff}) runs: each {@code --prompt}, each line of
 * {@code --prompts FILE}, or one {@code --ids} row. A model that reads padded batches reads several prompts as one
 * batch, padded on the right, so the mask linter sees padding; others read each prompt in a pass of its own.
 *
 * @param texts the prompt texts (empty when ids were given)
 * @param ids   one row of token ids, or null
 */
record PromptSet(List<String> texts, long[] ids) {

    PromptSet {
        texts = List.copyOf(texts);
    }

    /** Reads the options; refuses none or both kinds of input. */
    static PromptSet of(List<String> prompts, String promptsFile, String ids) throws IOException {
        List<String> texts = new ArrayList<>(prompts);
        if (promptsFile != null) {
            Path file = Path.of(promptsFile);
            if (!Files.isRegularFile(file)) {
                throw new UsageException("--prompts: no file at " + file.toAbsolutePath().normalize());
            }
            Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).forEach(texts::add);
        }
        if (!texts.isEmpty() && ids != null) {
            throw new UsageException("give either --prompt / --prompts or --ids, not both");
        }
        if (texts.isEmpty() && ids == null) {
            throw new UsageException("missing input: give --prompt <text>, --prompts <file> (one per line) or --ids <id,id,...>");
        }
        return new PromptSet(texts, ids == null ? null : TraceOptions.parseIds("--ids", ids));
    }

    /** Prompts (rows) given: the texts, or 1 for --ids. */
    int size() {
        return ids != null ? 1 : texts.size();
    }

    /** The i-th prompt's text, or null for --ids. */
    String text(int i) {
        return ids != null ? null : texts.get(i);
    }

    /** The passes to run on {@code model}. */
    List<Batch> batches(LoadedModel model) {
        if (ids != null) {
            return List.of(Batch.of(ids));
        }
        Tokenizer tokenizer = model.tokenizer();
        if (tokenizer == null) {
            throw new UsageException("model " + model.name() + " has no tokenizer.json, so it cannot read --prompt; give "
                    + "token ids with --ids");
        }
        List<long[]> rows = new ArrayList<>();
        for (String text : texts) {
            long[] row = tokenizer.encode(text).ids();
            if (row.length == 0) {
                throw new UsageException("the prompt \"" + text + "\" is empty: type at least one token");
            }
            rows.add(row);
        }
        List<Batch> batches = new ArrayList<>();
        Capabilities c = model.model().capabilities();
        if (rows.size() > 1 && c.paddedBatches()) {
            batches.add(Batch.pad(rows, null, Batch.Padding.RIGHT, 0));
        } else {
            rows.forEach(r -> batches.add(Batch.of(r)));
        }
        return batches;
    }

    /** Every encoding of the prompts, for the special tokens (BOS, [CLS], [SEP]) a sink is measured on. */
    List<Tokenizer.Tokens> encodings(Tokenizer tokenizer) {
        return tokenizer == null ? List.of() : texts.stream().map(tokenizer::encode).toList();
    }
}
