package dev.attnstudio.app.main;

import dev.attnstudio.samples.ModelSource;
import dev.attnstudio.samples.SampleCards;
import dev.attnstudio.samples.SampleModels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the window says about a model it opened: a one-line description and the model card (Markdown). A bundled
 * sample has both in the catalog; a folder's card is its {@code README.md} (or {@code MODEL_CARD.md}), as Hugging
 * Face folders ship it, without the metadata block on top. Read on the engine thread, while the model opens.
 */
final class ModelCards {

    /** The file names a model card goes by, in the order they are looked for. */
    static final List<String> CARD_FILES = List.of("README.md", "MODEL_CARD.md", "readme.md");
    /** Longest card read from a folder; a longer file is cut there (a card, not a book). */
    static final int MAX_CARD_CHARS = 200_000;

    /**
     * @param description one line about the model
     * @param markdown    its card
     * @param prompt      the prompt it understands (a sample's), or null
     */
    record Card(String description, String markdown, String prompt) {
    }

    private ModelCards() {
    }

    /** The prompt a bundled sample understands, or null (a folder). Cheap: the catalog is in memory. */
    static String suggestedPrompt(ModelSource source) {
        return source instanceof ModelSource.Sample s ? SampleModels.find(s.name()).map(SampleModels.Sample::prompt).orElse(null)
                : null;
    }

    /** The card of a bundled sample, from the catalog; empty for a folder. */
    static Optional<Card> sample(ModelSource source) {
        if (source instanceof ModelSource.Sample s) {
            return SampleModels.find(s.name()).map(sample -> new Card(sample.description(), SampleCards.markdown(sample),
                    sample.prompt()));
        }
        return Optional.empty();
    }

    /**
     * The card of an opened model: the sample's, the folder's card file, or a few lines saying where it came from.
     *
     * @param family the model's family as its config names it ({@code gpt2}, {@code bert}, ...)
     */
    static Card of(ModelSource source, String name, String family) {
        Optional<Card> sample = sample(source);
        if (sample.isPresent()) {
            return sample.get();
        }
        String description = "A " + family + " model opened from " + source.label();
        if (source instanceof ModelSource.OnDisk disk) {
            Path folder = Files.isDirectory(disk.path()) ? disk.path() : disk.path().getParent();
            Optional<String> card = folder == null ? Optional.empty() : read(folder);
            if (card.isPresent()) {
                return new Card(description, card.get(), null);
            }
        }
        return new Card(description, "# " + name + "\n\n" + description + ".\n\nIts folder has no model card ("
                + String.join(" or ", CARD_FILES.subList(0, 2)) + "): the status bar and the Pipeline tab say what it is "
                + "made of.\n", null);
    }

    /** The folder's card file without its metadata block, if it has one. */
    static Optional<String> read(Path folder) {
        for (String name : CARD_FILES) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    String text = Files.readString(file, StandardCharsets.UTF_8);
                    return Optional.of(withoutFrontMatter(text.length() > MAX_CARD_CHARS ? text.substring(0, MAX_CARD_CHARS) : text));
                } catch (IOException | RuntimeException e) { // unreadable or not UTF-8: no card rather than no model
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** Hugging Face cards start with YAML metadata between two {@code ---} lines; people read what follows. */
    static String withoutFrontMatter(String markdown) {
        String text = markdown.startsWith("\uFEFF") ? markdown.substring(1) : markdown;
        if (!text.startsWith("---\n") && !text.startsWith("---\r\n")) {
            return text;
        }
        int end = text.indexOf("\n---", 3);
        if (end < 0) {
            return text;
        }
        int next = text.indexOf('\n', end + 4);
        return next < 0 ? "" : text.substring(next + 1).stripLeading();
    }
}
