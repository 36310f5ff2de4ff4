package dev.attnstudio.engine.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attnstudio.engine.fuzz.FuzzCorpus;
import dev.attnstudio.engine.hooks.HookName;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.sampling.Sampler;
import dev.attnstudio.engine.sampling.SamplingConfig;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine works with the network out of reach and never reaches for it: with a JVM-wide guard that records and
 * refuses every socket, a bundled sample opens from its folder (config, weights, tokenizer), a prompt is tokenized,
 * a full pass runs and a token is generated; nothing tried to connect.
 */
class NoNetworkTest {

    @Test
    void theGuardSeesAConnectionAttempt() {
        try (NetworkGuard guard = NetworkGuard.install()) {
            assertThrows(SecurityException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", 9), 100);
                }
            });
            assertEquals(1, guard.attempts().size(), "the guard should record the attempt: " + guard.attempts());
        }
    }

    @Test
    void openingASampleAndRunningAPassTriesNoConnection() throws Exception {
        Path folder = Path.of(System.getProperty("basedir", ".")).resolve(FuzzCorpus.SAMPLES).resolve("tiny-gpt")
                .normalize();
        try (NetworkGuard guard = NetworkGuard.install()) {
            try (LoadedModel m = ModelFolder.open(folder, DjlRuntime.DeviceChoice.CPU);
                 Stepper s = new Stepper(m.model(), Stepper.Options.DEFAULT)) {
                Tokenizer.Tokens tokens = m.tokenizer().encode("And God said");
                s.reset(tokens.ids());
                s.runToEnd();
                TensorData logits = s.read(HookName.Model.LOGITS.id);
                assertEquals(tokens.size(), logits.shape()[1], "one row of logits per prompt token");
                s.generate(new Sampler(SamplingConfig.GREEDY));
            }
            List<NetworkGuard.Attempt> attempts = guard.attempts();
            assertTrue(attempts.isEmpty(), "the engine tried to connect: " + attempts);
        }
    }
}
