package dev.attnstudio.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.io.OnnxGraph;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.OnnxBertImport;
import dev.attnstudio.engine.model.RandomGpt2;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The models that ship with Attention Studio, opened by name. The list lives in {@code catalog.json} next to this
 * class: a small GPT-2-shaped decoder with seeded random weights (made in code, so a fresh clone runs with nothing
 * downloaded), two real BERT-architecture encoders whose fp32 ONNX files and tokenizer.json ride in Maven
 * Central jars (all-MiniLM-L6-v2, bge-small-en-v1.5), and small models this project trained itself, committed as
 * Hugging Face folders next to this class (decoders such as {@code induction-2l}, the encoder-decoder
 * {@code reverse-t5}). The engine runs those weights itself; ONNX Runtime
 * is not involved.
 */
public final class SampleModels {

    private static final System.Logger LOG = System.getLogger(SampleModels.class.getName());

    /** Where the catalog is, relative to this class. */
    static final String CATALOG_RESOURCE = "catalog.json";

    /**
     * One bundled model.
     *
     * @param name         what the app, the command line and {@link #open} call it
     * @param architecture the engine's model family in lower case: {@code "gpt2"}, {@code "bert"}, {@code "llama"} or
     *                     {@code "t5"}
     * @param description  one line for menus: what the sample is for, and what it cannot read
     * @param prompt       a prompt the sample understands (its vocabulary, its task), filled in when it is opened
     * @param source       where its weights come from
     * @param license      the licences of the weights and of the jar that carries them, and where each is stated
     * @param sizeBytes    size of the weights as shipped: the ONNX resource, fp32 bytes of generated weights, or all
     *                     files of a bundled folder
     * @param modelCard    what the model is, how it was trained and how its weights were identified
     */
    public record Sample(String name, String architecture, String description, String prompt, Source source,
                         License license, long sizeBytes, Card modelCard) {

        /** The model card as one paragraph, for tooltips and about boxes. */
        public String card() {
            return modelCard.text();
        }
    }

    /** Where a sample's weights come from. */
    public sealed interface Source permits Generated, MavenOnnx, BundledFolder {
    }

    /**
     * Weights generated in code ({@link RandomGpt2}), deterministic for the seed.
     *
     * @param seed random seed
     * @param std  standard deviation of the weight matrices
     */
    public record Generated(long seed, float std) implements Source {
    }

    /**
     * An ONNX file and its tokenizer.json, read as class-path resources from a Maven artifact (a dependency of
     * this module whose own runtime dependencies are excluded).
     *
     * @param onnx      resource name of the fp32 ONNX model, at the jar's root
     * @param tokenizer resource name of the Hugging Face tokenizer.json
     */
    public record MavenOnnx(String groupId, String artifactId, String version, String onnx, String tokenizer)
            implements Source {

        /** {@code groupId:artifactId:version}. */
        public String coordinates() {
            return groupId + ":" + artifactId + ":" + version;
        }

        /** How a resource of this artifact is named in messages: {@code artifactId/resource}. */
        public String label(String resource) {
            return artifactId + "/" + resource;
        }
    }

    /**
     * A Hugging Face folder committed to this repository as class-path resources under
     * {@code dev/attnstudio/samples/<folder>/}. It is opened the way a user's folder is: the files are copied to a
     * temporary folder named after the sample and read by {@link LoadedModel#open}.
     *
     * @param folder the resource folder, relative to this class
     * @param files  every file it holds: config.json and model.safetensors, usually tokenizer.json, and the model
     *               card's companions (README.md, metrics.json, ...)
     */
    public record BundledFolder(String folder, List<String> files) implements Source {

        public BundledFolder {
            files = List.copyOf(files);
            if (!files.contains("config.json") || !files.contains("model.safetensors")) {
                throw new IllegalArgumentException("a bundled folder needs config.json and model.safetensors, has " + files);
            }
        }

        /** How a file of the folder is named in messages and on the class path (relative to this class). */
        public String resource(String file) {
            return folder + "/" + file;
        }
    }

    /**
     * Licences, each with where it is stated.
     *
     * @param weights         licence of the model weights (upstream)
     * @param weightsSource   where that licence is stated
     * @param packaging       licence of the artifact that carries the files
     * @param packagingSource where that licence is stated
     */
    public record License(String weights, String weightsSource, String packaging, String packagingSource) {
    }

    /**
     * A short model card.
     *
     * @param summary        what the model is
     * @param layers         number of blocks (an encoder-decoder: of each stack)
     * @param heads          attention heads per block
     * @param dModel         residual stream width
     * @param shape          the rest of its geometry
     * @param training       what it was trained for (or that it was not)
     * @param weights        precision and whether anything was changed
     * @param identification how each tensor was found in the shipped file
     */
    public record Card(String summary, int layers, int heads, int dModel, String shape, String training,
                       String weights, String identification) {

        /** The card as one paragraph. */
        public String text() {
            return summary + " " + layers + " layers x " + heads + " heads, d_model " + dModel + "; " + shape + ". "
                    + training + " Weights: " + weights;
        }
    }

    /** The 4-layer, 4-head random GPT-2 (d_model 128, 256 byte tokens, 256 positions). */
    public static final Sample RANDOM_GPT2_TINY = find("random-gpt2-tiny").orElseThrow();

    static final ModelConfig RANDOM_GPT2_TINY_CONFIG =
            new ModelConfig(4, 4, 128, 256, 256, 1e-5, ModelConfig.Activation.GELU_NEW);

    private SampleModels() {
    }

    /** Every bundled sample, in catalog order. */
    public static List<Sample> catalog() {
        return Catalog.SAMPLES;
    }

    /** The sample opened first when the app starts: a trained one, whose attention means something. */
    public static Sample defaultSample() {
        return find("tiny-gpt").orElseThrow();
    }

    /** The sample with this name, if there is one. */
    public static Optional<Sample> find(String name) {
        return catalog().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * Opens a bundled sample by name. ONNX samples are parsed from the class path, mapped to Hugging Face tensors
     * and copied to the device; the file's bytes are not kept.
     *
     * @throws NoSuchElementException if no sample has that name (the message lists the names there are)
     * @throws ModelFormatException   if a shipped file cannot be read or does not fit its catalog entry
     */
    public static LoadedModel open(String name, DjlRuntime.DeviceChoice device) {
        Sample sample = find(name).orElseThrow(() -> new NoSuchElementException("no bundled sample named '" + name
                + "' (available: " + String.join(", ", catalog().stream().map(Sample::name).toList()) + ")"));
        if (sample.source() instanceof MavenOnnx m) {
            return openOnnx(sample, m, device);
        }
        if (sample.source() instanceof BundledFolder f) {
            return openFolder(sample, f, device);
        }
        return openGenerated(sample, (Generated) sample.source(), device);
    }

    /**
     * Copies a bundled folder to a temporary folder named after the sample and opens it with
     * {@link LoadedModel#open}, exactly as a user's folder is opened; the copy is deleted once the model is loaded.
     */
    private static LoadedModel openFolder(Sample sample, BundledFolder source, DjlRuntime.DeviceChoice device) {
        Path parent = null;
        try {
            parent = Files.createTempDirectory("attn-studio-sample-");
            Path folder = extract(source, parent.resolve(sample.name()));
            LoadedModel model = LoadedModel.open(folder, device);
            String family = model.config().architecture().name().toLowerCase(Locale.ROOT);
            if (!family.equals(sample.architecture())) {
                model.close();
                throw new ModelFormatException(folder.resolve("config.json"), "the catalog says " + sample.architecture()
                        + " but the folder holds a " + family);
            }
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the bundled sample " + sample.name() + ": " + e.getMessage(), e);
        } finally {
            if (parent != null) {
                deleteQuietly(parent);
            }
        }
    }

    /**
     * Copies every file of a bundled folder into {@code target} (created if need be) and returns it.
     *
     * @throws ModelFormatException if a listed file is not on the class path
     */
    public static Path extract(BundledFolder source, Path target) throws IOException {
        Files.createDirectories(target);
        for (String file : source.files()) {
            try (InputStream in = resource(source, file)) {
                Files.copy(in, target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    /** One file of a bundled folder, from the class path. */
    public static InputStream resource(BundledFolder source, String file) {
        InputStream in = SampleModels.class.getResourceAsStream(source.resource(file));
        if (in == null) {
            throw new ModelFormatException(Path.of(source.resource(file)), "missing from the class path: the catalog lists "
                    + file + " in the bundled folder " + source.folder());
        }
        return in;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "cannot delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "cannot delete " + dir + ": " + e);
        }
    }

    private static LoadedModel openGenerated(Sample sample, Generated g, DjlRuntime.DeviceChoice device) {
        Tokenizer tokenizer = Tokenizer.fromJson(ByteLevelVocab.tokenizerJson(), "byte-level tokenizer.json");
        try {
            return LoadedModel.of(sample.name(), RANDOM_GPT2_TINY_CONFIG,
                    RandomGpt2.tensors(RANDOM_GPT2_TINY_CONFIG, g.seed(), g.std()), tokenizer, device);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static LoadedModel openOnnx(Sample sample, MavenOnnx source, DjlRuntime.DeviceChoice device) {
        long start = System.nanoTime();
        OnnxBertImport.Imported imported = importOnnx(source);
        String family = imported.config().architecture().name().toLowerCase(Locale.ROOT);
        if (!family.equals(sample.architecture())) {
            throw new ModelFormatException(Path.of(source.label(source.onnx())), "the catalog says "
                    + sample.architecture() + " but the graph is a " + family);
        }
        Tokenizer tokenizer = tokenizer(source);
        try {
            LoadedModel model = LoadedModel.of(sample.name(), imported.config(), imported.tensors(), tokenizer, device);
            LOG.log(System.Logger.Level.DEBUG, () -> sample.name() + " opened in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            return model;
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Parses a sample's ONNX resource and maps it to Hugging Face BERT tensors; the bytes are dropped after. With
     * {@link #tokenizer} and {@link LoadedModel#of}, what {@link #open} does for an ONNX sample, for callers that keep
     * the host tensors to open the sample again without parsing it again.
     */
    public static OnnxBertImport.Imported importOnnx(MavenOnnx source) {
        String label = source.label(source.onnx());
        OnnxGraph graph;
        try (InputStream in = resource(source, source.onnx())) {
            graph = OnnxGraph.read(in, label);
        } catch (IOException e) {
            throw new ModelFormatException(Path.of(label), "cannot read resource: " + e, e);
        }
        return OnnxBertImport.read(graph, Path.of(label));
    }

    /** The sample's tokenizer, read from its tokenizer.json resource (the caller closes it, or the model it goes to). */
    public static Tokenizer tokenizer(MavenOnnx source) {
        return Tokenizer.fromJson(tokenizerJson(source), source.label(source.tokenizer()));
    }

    static String tokenizerJson(MavenOnnx source) {
        try (InputStream in = resource(source, source.tokenizer())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelFormatException(Path.of(source.label(source.tokenizer())), "cannot read resource: " + e, e);
        }
    }

    /**
     * Opens one of a sample's resources (jar root). A missing one means the artifact is not on the class path,
     * which the message says with its coordinates.
     */
    static InputStream resource(MavenOnnx source, String name) {
        InputStream in = SampleModels.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new ModelFormatException(Path.of(source.label(name)), "not on the class path: add the Maven artifact "
                    + source.coordinates() + " (with its dependencies excluded) to read this sample");
        }
        return in;
    }

    /** The catalog, read once on first use; a broken catalog is a build error, so it fails loudly. */
    private static final class Catalog {

        static final List<Sample> SAMPLES = read();

        private static List<Sample> read() {
            JsonNode root;
            try (InputStream in = SampleModels.class.getResourceAsStream(CATALOG_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(CATALOG_RESOURCE + " is missing from the class path");
                }
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(CATALOG_RESOURCE + ": " + e.getMessage(), e);
            }
            List<Sample> samples = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (JsonNode entry : root.path("samples")) {
                Sample s = sample(entry);
                if (!names.add(s.name())) {
                    throw new IllegalStateException(CATALOG_RESOURCE + ": the name '" + s.name() + "' is used twice");
                }
                samples.add(s);
            }
            if (samples.isEmpty()) {
                throw new IllegalStateException(CATALOG_RESOURCE + ": no samples");
            }
            return List.copyOf(samples);
        }

        private static Sample sample(JsonNode e) {
            String name = text(e, "name", "a sample");
            String where = "sample '" + name + "'";
            String architecture = text(e, "architecture", where);
            if (Arrays.stream(ModelConfig.Architecture.values()).noneMatch(a -> a.modelType.equals(architecture))) {
                throw bad(where + ": architecture '" + architecture + "' is not one the engine runs ("
                        + ModelConfig.Architecture.supported() + ")");
            }
            JsonNode s = node(e, "source", where);
            Source source = switch (text(s, "kind", where)) {
                case "generated" -> new Generated(number(s, "seed", where).longValue(),
                        number(s, "std", where).floatValue());
                case "maven-onnx" -> new MavenOnnx(text(s, "groupId", where), text(s, "artifactId", where),
                        text(s, "version", where), text(s, "onnx", where), text(s, "tokenizer", where));
                case "bundled-folder" -> bundledFolder(s, where);
                default -> throw bad(where + ": unknown source kind '" + s.path("kind").asText()
                        + "' (known: generated, maven-onnx, bundled-folder)");
            };
            JsonNode l = node(e, "license", where);
            License license = new License(text(l, "weights", where), text(l, "weightsSource", where),
                    text(l, "packaging", where), text(l, "packagingSource", where));
            JsonNode c = node(e, "card", where);
            Card card = new Card(text(c, "summary", where), number(c, "layers", where).intValue(),
                    number(c, "heads", where).intValue(), number(c, "dModel", where).intValue(),
                    text(c, "shape", where), text(c, "training", where), text(c, "weights", where),
                    text(c, "identification", where));
            return new Sample(name, architecture, text(e, "description", where), text(e, "prompt", where), source, license,
                    number(e, "sizeBytes", where).longValue(), card);
        }

        private static BundledFolder bundledFolder(JsonNode s, String where) {
            JsonNode files = s.get("files");
            if (files == null || !files.isArray() || files.isEmpty()) {
                throw bad(where + ": 'files' must be a non-empty list of file names");
            }
            List<String> names = new ArrayList<>();
            for (JsonNode f : files) {
                String file = f.asText();
                if (!f.isTextual() || file.isBlank() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
                    throw bad(where + ": '" + f + "' is not a plain file name");
                }
                names.add(file);
            }
            try {
                return new BundledFolder(text(s, "folder", where), names);
            } catch (IllegalArgumentException e) {
                throw bad(where + ": " + e.getMessage());
            }
        }

        private static JsonNode node(JsonNode parent, String key, String where) {
            JsonNode n = parent.get(key);
            if (n == null || !n.isObject()) {
                throw bad(where + ": '" + key + "' must be an object");
            }
            return n;
        }

        private static String text(JsonNode parent, String key, String where) {
            JsonNode n = parent.get(key);
            if (n == null || !n.isTextual() || n.asText().isBlank()) {
                throw bad(where + ": '" + key + "' must be a non-empty string");
            }
            return n.asText();
        }

        private static Number number(JsonNode parent, String key, String where) {
            JsonNode n = parent.get(key);
            if (n == null || !n.isNumber()) {
                throw bad(where + ": '" + key + "' must be a number");
            }
            return n.numberValue();
        }

        private static IllegalStateException bad(String problem) {
            return new IllegalStateException(CATALOG_RESOURCE + ": " + problem);
        }
    }
}
