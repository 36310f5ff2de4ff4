package dev.attnstudio.app;

import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.main.SettingsStore;
import dev.attnstudio.app.main.Status;
import dev.attnstudio.cli.Main;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.samples.ModelSource;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.fireMenuItem;
import static dev.attnstudio.app.AppHarness.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The longest prompt every bundled sample accepts, and what happens beyond it. For each sample: the engine's limit
 * found by a search over prompt lengths (a prompt is accepted when the stepper resets on it), a pass of exactly that
 * many tokens run to its end, and one more refused with a message naming the limit; then a prompt beyond the limit
 * typed into the window gives a visible error in the status bar (the window stays usable: the sample's own prompt is
 * accepted again), and the same prompt on the command line ({@code attn-studio trace}) exits 2 with the same limit
 * named. Prints one table line per sample.
 */
class LongestPromptWindowTest {

    /** Imports each ONNX sample once, for the window and the engine's search. */
    private static ImportOnce opener; // dropped after the class: the imported weights are 100+ MB
    /** An id every sample's vocabulary holds. */
    private static final long TOKEN = 5;

    private static AttentionStudioApp app;

    @BeforeAll
    static void start() throws Exception {
        opener = new ImportOnce();
        FxToolkit.registerPrimaryStage();
        app = (AttentionStudioApp) FxToolkit.setupApplication(() -> new AttentionStudioApp(opener,
                SettingsStore.inMemory()));
        awaitIdle(vm());
    }

    @AfterAll
    static void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
        opener = null;
    }

    @Test
    void everySampleReadsUpToItsPositionLimitAndRefusesBeyondItVisibly(@TempDir Path dir) throws Exception {
        List<String> table = new ArrayList<>();
        table.add("| sample | positions (config) | longest accepted | beyond: the app | beyond: `attn-studio trace` |");
        table.add("|---|---|---|---|---|");
        for (SampleModels.Sample sample : SampleModels.catalog()) {
            int limit;
            int longest;
            String refusal;
            try (LoadedModel model = opener.open(new ModelSource.Sample(sample.name()))) {
                limit = model.model().config().nPositions();
                longest = longestAccepted(model, 4 * limit);
                assertEquals(limit, longest, sample.name() + ": the longest prompt the engine accepts");
                refusal = runFullPassAndRefuseOneMore(model, longest);
                assertTrue(refusal.contains("at most " + limit), sample.name() + ": " + refusal);
            }

            // a prompt with more words than the model has positions (every word is at least one token)
            String word = sample.prompt().split(" ")[0];
            String tooLong = String.join(" ", java.util.Collections.nCopies(limit + 1, word));

            fireMenuItem("sample-" + sample.name());
            WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                    && vm().session().modelInfoProperty().get().name().equals(sample.name()) && vm().status().isReady()));
            awaitIdle(vm());
            fx(() -> {
                vm().prompt().textProperty().set(tooLong);
                return null;
            });
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().messageProperty().get().error()));
            awaitIdle(vm());
            Status shown = fx(() -> vm().status().messageProperty().get());
            assertTrue(shown.error() && shown.text().contains("at most " + limit), sample.name() + ": " + shown);
            fx(() -> {
                vm().prompt().textProperty().set(sample.prompt());
                return null;
            });
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> !vm().status().messageProperty().get().error()));
            awaitIdle(vm());

            Path out = dir.resolve(sample.name());
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            int code;
            try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
                 PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
                code = Main.run(new String[] {"trace", "--model", sample.name(), "--prompt", tooLong, "--out", out.toString()}, po, pe);
            }
            String err = e.toString(StandardCharsets.UTF_8).strip();
            assertEquals(2, code, sample.name() + ": " + err);
            assertTrue(err.contains("at most " + limit), sample.name() + ": " + err);
            table.add(String.format(Locale.ROOT, "| %s | %d | %d tokens | status bar: \u201c%s\u201d | exit %d: \u201c%s\u201d |",
                    sample.name(), limit, longest, shown.text(), code, lineWith(err, "at most " + limit)));
        }
        System.out.println("longest prompts:\n" + String.join("\n", table));
    }

    /** The longest prompt length the stepper resets on, by bisection over [1, ceiling]. */
    private static int longestAccepted(LoadedModel model, int ceiling) {
        try (Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            assertTrue(accepts(stepper, model, 1), model.name() + " refuses a one-token prompt");
            assertFalse(accepts(stepper, model, ceiling), model.name() + " accepts " + ceiling + " tokens");
            int low = 1;
            int high = ceiling; // accepted at low, refused at high
            while (high - low > 1) {
                int mid = (low + high) >>> 1;
                if (accepts(stepper, model, mid)) {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            return low;
        }
    }

    private static boolean accepts(Stepper stepper, LoadedModel model, int length) {
        try {
            stepper.reset(prompt(model, length));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A pass over {@code longest} tokens runs to its end; one token more is refused: returns the refusal's message. */
    private static String runFullPassAndRefuseOneMore(LoadedModel model, int longest) {
        try (Stepper stepper = new Stepper(model.model(), Stepper.Options.DEFAULT)) {
            stepper.reset(prompt(model, longest));
            assertNotNull(stepper.runToEnd(), model.name() + ": the pass over " + longest + " tokens ran");
            assertTrue(stepper.group().trace().complete(), model.name());
            return assertThrows(IllegalArgumentException.class, () -> stepper.reset(prompt(model, longest + 1))).getMessage();
        }
    }

    /** {@code length} tokens (an encoder-decoder's source, read with one decoder token). */
    private static Batch prompt(LoadedModel model, int length) {
        long[] ids = new long[length];
        Arrays.fill(ids, TOKEN);
        return model.model().capabilities().readsSource() ? Batch.encoderDecoder(ids, new long[] {0}) : Batch.of(ids);
    }

    /** The line of {@code text} holding {@code part} (the refusal, after the progress lines). */
    private static String lineWith(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).findFirst().orElse(text);
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }
}
