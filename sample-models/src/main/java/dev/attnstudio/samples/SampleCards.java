package dev.attnstudio.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * A sample's model card as Markdown, for people: the card a bundled folder ships ({@code README.md} or
 * {@code MODEL_CARD.md}), else one written from the catalog's card and licence fields.
 */
public final class SampleCards {

    private SampleCards() {
    }

    /** The card of {@code sample} as Markdown. */
    public static String markdown(SampleModels.Sample sample) {
        return cardFile(sample).map(file -> read((SampleModels.BundledFolder) sample.source(), file))
                .orElseGet(() -> fromCatalog(sample));
    }

    /** The Markdown file a bundled folder lists as its card, if it has one. */
    static Optional<String> cardFile(SampleModels.Sample sample) {
        if (sample.source() instanceof SampleModels.BundledFolder folder) {
            return folder.files().stream().filter(f -> f.toLowerCase(Locale.ROOT).endsWith(".md")).findFirst();
        }
        return Optional.empty();
    }

    private static String read(SampleModels.BundledFolder folder, String file) {
        try (InputStream in = SampleModels.resource(folder, file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model card " + folder.resource(file) + ": " + e.getMessage(), e);
        }
    }

    /** A card for a sample without a card file (generated weights, an ONNX file in a jar), from its catalog entry. */
    static String fromCatalog(SampleModels.Sample sample) {
        SampleModels.Card c = sample.modelCard();
        SampleModels.License l = sample.license();
        StringBuilder md = new StringBuilder();
        md.append("# ").append(sample.name()).append("\n\n");
        md.append(c.summary()).append("\n\n");
        md.append("## At a glance\n\n| | |\n|---|---|\n");
        row(md, "Architecture", String.format(Locale.ROOT, "%s: %d layers x %d heads, d_model %d; %s", sample.architecture(),
                c.layers(), c.heads(), c.dModel(), c.shape()));
        row(md, "Size", String.format(Locale.ROOT, "%,d bytes of weights as shipped", sample.sizeBytes()));
        row(md, "Weights", c.weights());
        row(md, "Weights' licence", l.weights() + " (" + l.weightsSource() + ")");
        row(md, "Packaging", l.packaging() + " (" + l.packagingSource() + ")");
        md.append("\n## Training\n\n").append(c.training()).append("\n\n");
        md.append("## How the weights were identified\n\n").append(c.identification()).append('\n');
        return md.toString();
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
    }
}
