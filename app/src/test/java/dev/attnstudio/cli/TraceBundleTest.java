package dev.attnstudio.cli;

import dev.attnstudio.app.bundle.Manifest;
import dev.attnstudio.app.bundle.RecordedTrace;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.Npy;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code attn-studio trace --out x.npz}: one archive holding what a trace folder holds, read back by the bundle
 * reader and by NumPy, with what opening it without the model needs (config.json, capabilities, step lists,
 * vocabulary, the weights' SHA-256).
 */
class TraceBundleTest {

    private static final String SAMPLE = "tiny-gpt";

    @TempDir
    Path dir;

    private static String run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        return text;
    }

    @Test
    void anNpzBundleHoldsTheFoldersEntriesAndWhatOpeningItWithoutTheModelNeeds() throws Exception {
        Path npz = dir.resolve("run.npz");
        Path folder = dir.resolve("run");
        String log = run("trace", "--model", SAMPLE, "--prompt", "And God said", "--generate", "2", "--out",
                npz.toString(), "--device", "cpu");
        run("trace", "--model", SAMPLE, "--prompt", "And God said", "--generate", "2", "--out", folder.toString(),
                "--device", "cpu");
        assertTrue(log.contains("hashed 1 weight file"), log);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("run", "run.npz"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left next to the archive");
        }

        try (RecordedTrace bundle = RecordedTrace.open(npz); RecordedTrace plain = RecordedTrace.open(folder)) {
            Manifest m = bundle.manifest();
            assertEquals(3, bundle.groups().size(), "the prompt's pass and one per generated token");
            assertEquals(SAMPLE, bundle.modelName());
            assertEquals("gpt2", m.model().architecture());
            assertTrue(bundle.capabilities().generates());
            assertEquals(bundle.config().nLayer(), m.model().configJson().path("n_layer").asInt(),
                    "config.json is recorded with its own keys");
            // every entry of every pass equals the folder's file of the same run
            for (int g = 0; g < bundle.groups().size(); g++) {
                assertFalse(bundle.hookNames(g).isEmpty());
                assertEquals(plain.hookNames(g), bundle.hookNames(g));
                assertEquals(bundle.steps(g).size(), plain.steps(g).size());
                for (String hook : bundle.hookNames(g)) {
                    TensorData a = bundle.read(g, hook);
                    String file = g == 0 ? hook + ".npy" : m.groups().get(g).folder() + "/" + hook + ".npy";
                    Npy.Float32 b = Npy.readFloat32(folder.resolve(file));
                    assertArrayEquals(b.shape(), a.shape(), hook);
                    assertArrayEquals(b.values(), a.values(), hook);
                }
                assertArrayEquals(plain.ids(g, "input_ids"), bundle.ids(g, "input_ids"));
            }
            assertEquals(Manifest.TOKENIZER_FILE, m.tokenizer(), "the tokenizer.json is bundled");
            assertTrue(bundle.tokenizerJson().orElseThrow().contains("\"vocab\""));
            // the step list is the program's, written or not
            String pattern = HookName.Block.PATTERN.at(0);
            assertTrue(bundle.steps(0).stream().anyMatch(s -> s.name().equals(pattern)));
            // the vocabulary labels every token, as the tokenizer decodes it
            try (LoadedModel model = SampleModels.open(SAMPLE, DjlRuntime.DeviceChoice.CPU);
                 Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
                long[] ids = bundle.ids(0, "input_ids")[0];
                for (long id : ids) {
                    assertEquals(model.tokenizer().decode(id), bundle.token(id).orElseThrow());
                }
                assertEquals(model.tokenizer().decode(model.config().vocabSize() - 1),
                        bundle.token(model.config().vocabSize() - 1).orElseThrow());
                // and the recorded head equals the engine's own run of the prompt
                stepper.reset(ids);
                stepper.runToEnd();
                TensorData engine = stepper.group().trace().read(pattern, "0, 1");
                TensorData recorded = bundle.read(0, pattern, "0, {}", 1);
                assertArrayEquals(engine.shape(), recorded.shape());
                assertArrayEquals(engine.values(), recorded.values(), 0f);
            }
            // the weights' SHA-256 is the file's, as any sha256 tool computes it
            SampleModels.BundledFolder source = (SampleModels.BundledFolder) SampleModels.find(SAMPLE).orElseThrow().source();
            Path copy = SampleModels.extract(source, dir.resolve("copy"));
            byte[] weights = Files.readAllBytes(copy.resolve("model.safetensors"));
            Manifest.WeightFile hashed = m.weights().files().get(0);
            assertEquals(1, m.weights().files().size());
            assertEquals(weights.length, hashed.bytes());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights)), hashed.sha256());
        }
    }

    @Test
    void numpyLoadsTheArchive() throws Exception {
        Assumptions.assumeTrue(hasNumpy(), "python3 with numpy is not installed here: the NumPy check is skipped");
        Path npz = dir.resolve("run.npz");
        run("trace", "--model", SAMPLE, "--prompt", "And God said", "--out", npz.toString(), "--device", "cpu");
        String pattern = HookName.Block.PATTERN.at(1);
        String script = String.join("\n",
                "import json, sys, numpy as np",
                "d = np.load(sys.argv[1])",
                "m = json.loads(bytes(d['manifest.json']))",
                "a = d[sys.argv[2]]",
                "print(m['model']['name'], a.dtype, 'x'.join(map(str, a.shape)), repr(float(a.astype(np.float64).sum())),",
                "      d['input_ids'].dtype, len(m['groups'][0]['files']))");
        Process p = new ProcessBuilder("python3", "-c", script, npz.toString(), pattern).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        try (RecordedTrace bundle = RecordedTrace.open(npz)) {
            TensorData a = bundle.read(0, pattern);
            double sum = 0;
            for (float v : a.values()) {
                sum += v;
            }
            String[] words = out.split(" ");
            assertEquals(SAMPLE, words[0], out);
            assertEquals("float32", words[1], out);
            assertEquals(a.shape()[0] + "x" + a.shape()[1] + "x" + a.shape()[2] + "x" + a.shape()[3], words[2], out);
            assertEquals(sum, Double.parseDouble(words[3]), 1e-6 * Math.max(1, Math.abs(sum)), out);
            assertEquals("int64", words[4], out);
            assertEquals(bundle.manifest().groups().get(0).files().size(), Integer.parseInt(words[5]), out);
        }
    }

    @Test
    void anExistingArchiveIsReplacedOnlyWithForce() {
        Path npz = dir.resolve("run.npz");
        run("trace", "--model", SAMPLE, "--ids", "1,2,3", "--hooks", "hook_logits", "--out", npz.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"trace", "--model", SAMPLE, "--ids", "1,2,3", "--out", npz.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("already exists"), err.toString(StandardCharsets.UTF_8));
        run("trace", "--model", SAMPLE, "--ids", "1,2,3", "--hooks", "hook_logits", "--out", npz.toString(), "--force");
    }

    static boolean hasNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
