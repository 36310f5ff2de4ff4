package dev.attnstudio.app;

import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.StepDetails;
import dev.attnstudio.engine.config.ModelConfig;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.io.SafeTensors;
import dev.attnstudio.engine.load.LlamaFolder;
import dev.attnstudio.engine.model.RandomLlama;
import dev.attnstudio.engine.tokenizer.ByteLevelVocab;
import dev.attnstudio.engine.offline.NetworkGuard;
import dev.attnstudio.samples.ModelSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.fireMenuItem;
import static dev.attnstudio.app.AppHarness.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The window opens models with the network out of reach and never reaches for it. A {@link NetworkGuard}, which
 * records and refuses every Java socket on every thread, is installed before anything else in this test's JVM (a
 * surefire execution of its own, see app/pom.xml): before JavaFX, the app and DJL start. Then, as a user would: the
 * app starts and opens its default sample, which runs a pass and generates a token; File ▸ Open sample opens the
 * MiniLM encoder (its ONNX graph read from a jar and imported) and runs a pass; and a Hugging Face folder on disk (a
 * small random LLaMA with a byte-level tokenizer.json, written here by plain Java) is opened as File ▸ Open model
 * folder opens the folder chosen, and runs a pass and generates a token. Nothing may have tried to connect. Last, a
 * connection attempted on the app's engine thread shows that the guard sees the app's threads.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NoNetworkWindowTest {

    /** An encoder among the bundled samples, imported from its ONNX file in a Maven jar. */
    private static final String ENCODER_SAMPLE = "all-minilm-l6-v2";
    /** 2 layers, 4 query heads of 8 sharing 2 key/value heads, d_mlp 40, 256 positions, 256 byte tokens. */
    private static final ModelConfig LLAMA = new ModelConfig(ModelConfig.Architecture.LLAMA, 2, 4, 32, 40, 256, 256, 0,
            1e-5, ModelConfig.Activation.SILU, new ModelConfig.Llama(2, 10000, false));

    private static NetworkGuard guard;
    private static AppHarness app;

    @BeforeAll
    static void start() throws Exception {
        guard = NetworkGuard.install(); // first: nothing of JavaFX, the app or DJL has run in this JVM yet
        app = AppHarness.start();
        awaitIdle(vm());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (app != null) {
                app.stop();
            }
        } finally {
            guard.close();
        }
    }

    @Test
    @Order(1)
    void openingASampleAnEncoderAndAModelFolderThenPassesAndGeneratingTryNoConnection(@TempDir Path dir) throws Exception {
        // the default sample, opened by the app's start through the session
        String first = fx(() -> vm().session().modelInfoProperty().get().name());
        passAndToken(first);

        fireMenuItem("sample-" + ENCODER_SAMPLE);
        awaitOpen(ENCODER_SAMPLE);
        pass(ENCODER_SAMPLE);

        Path folder = writeRandomLlama(dir.resolve("random-llama"));
        fx(() -> {
            vm().session().openFolder(folder); // what File ▸ Open model folder does with the folder chosen
            return null;
        });
        awaitOpen(folder.getFileName().toString());
        assertEquals(new ModelSource.OnDisk(folder), fx(() -> vm().session().modelInfoProperty().get().source()));
        assertEquals("llama", fx(() -> vm().session().modelInfoProperty().get().architecture()));
        passAndToken(folder.getFileName().toString());

        List<NetworkGuard.Attempt> attempts = guard.attempts();
        assertTrue(attempts.isEmpty(), "the app tried to connect: " + attempts);
    }

    @Test
    @Order(2)
    void theGuardSeesAConnectionTheAppsEngineThreadAttempts() throws Exception {
        int before = guard.attempts().size();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        fx(() -> {
            vm().onEngine((model, stepper) -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", 9), 1_000);
                    return "connected";
                } catch (Exception | Error e) {
                    return e;
                }
            }, outcome::complete, outcome::completeExceptionally);
            return null;
        });
        Object result = outcome.get(90, TimeUnit.SECONDS);
        assertInstanceOf(SecurityException.class, result, "the connection was refused by the guard: " + result);
        List<NetworkGuard.Attempt> attempts = guard.attempts();
        assertEquals(before + 1, attempts.size(), "the guard recorded the attempt: " + attempts);
        NetworkGuard.Attempt attempt = attempts.get(attempts.size() - 1);
        assertTrue(attempt.actions().contains("connect") && attempt.target().contains("127.0.0.1"), attempt.toString());
        assertTrue(attempt.caller().contains(NoNetworkWindowTest.class.getName()), attempt.toString());
    }

    /**
     * A Hugging Face LLaMA folder: config.json, model.safetensors (random weights under {@code LlamaForCausalLM}
     * names) and a byte-level tokenizer.json. Plain Java, no DJL: the app is the first to load it.
     */
    private static Path writeRandomLlama(Path folder) throws Exception {
        Files.createDirectories(folder);
        LlamaFolder.writeConfig(folder.resolve("config.json"), LLAMA);
        Map<String, SafeTensors.Tensor> weights = RandomLlama.tensors(LLAMA, 14, 0.2f);
        SafeTensors.write(folder.resolve("model.safetensors"), weights, Map.of("format", "pt"));
        Files.writeString(folder.resolve("tokenizer.json"), ByteLevelVocab.tokenizerJson());
        return folder;
    }

    /** Waits until {@code name} is the open model and the engine is free. */
    private static void awaitOpen(String name) throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                && vm().session().modelInfoProperty().get().name().equals(name) && vm().status().isReady()));
        awaitIdle(vm());
        assertNoError(name + " opened");
    }

    /** Run ▸ Run to end: the prompt's pass reaches the logits (the encoder's last step is its output). */
    private static StepDetails pass(String model) throws Exception {
        fireMenuItem("runToEndItem");
        awaitIdle(vm());
        assertNoError(model + ": run to end");
        StepDetails at = fx(() -> vm().stepping().currentStepProperty().get());
        assertTrue(at != null && at.index() == at.total() - 1, model + ": the pass ran to its last step: " + at);
        return at;
    }

    /** A pass to the logits, then Run ▸ Generate: a second pass, one token longer. */
    private static void passAndToken(String model) throws Exception {
        assertEquals(HookName.Model.LOGITS.id, pass(model).name(), model);
        int tokens = fx(() -> vm().prompt().tokens().size());
        fireMenuItem("generateItem");
        awaitIdle(vm());
        assertNoError(model + ": generate");
        assertEquals(2, (int) fx(() -> vm().stepping().groupsProperty().get()), model + ": the prompt's pass and the token's");
        assertEquals(tokens + 1, (int) fx(() -> vm().prompt().tokens().size()), model + ": one token generated");
    }

    private static void assertNoError(String what) throws Exception {
        assertFalse(fx(() -> vm().status().messageProperty().get().error()),
                what + ": " + fx(() -> vm().status().messageProperty().get().text()));
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }
}
