package dev.attnstudio.app.main;

import dev.attnstudio.app.concurrent.DirectEngineExecutor;
import dev.attnstudio.engine.io.ModelFormatException;
import dev.attnstudio.engine.load.ModelFolder;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.ModelSource;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "Open model folder...": the kinds of folder that open, and the messages for those that do not. */
class ModelFolderTest {

    private static final DjlRuntime.DeviceChoice CPU = DjlRuntime.DeviceChoice.CPU;

    @Test
    void aHuggingFaceFolderOpensThroughTheViewModelAndIsRemembered(@TempDir Path dir) throws IOException {
        SampleModels.Sample sample = SampleModels.find("induction-2l").orElseThrow();
        Path folder = SampleModels.extract((SampleModels.BundledFolder) sample.source(), dir.resolve("induction-2l"));
        SettingsStore settings = SettingsStore.inMemory();
        MainViewModel vm = new MainViewModel(new DirectEngineExecutor(), ModelOpener.standard(CPU), settings);
        try {
            vm.session().openFolder(folder);
            assertTrue(vm.status().isReady(), () -> vm.status().messageProperty().get().text());
            ModelInfo info = vm.session().modelInfoProperty().get();
            assertEquals("induction-2l", info.name());
            assertEquals("gpt2", info.architecture());
            assertEquals(new ModelSource.OnDisk(folder), info.source());
            assertEquals(List.of(new ModelSource.OnDisk(folder)), vm.session().recentModels());
            assertTrue(settings.get(RecentModels.RECENT_KEY, "").contains(folder.toString()));
            vm.stepping().runToBreakpoint();
            assertEquals("blocks.0.attn.hook_pattern", vm.stepping().currentStepProperty().get().name());
        } finally {
            vm.close();
        }
    }

    @Test
    void anOnnxEncoderFolderOpensWithItsTokenizer(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("minilm-onnx");
        Files.createDirectories(folder.resolve("onnx"));
        copyResource("all-minilm-l6-v2.onnx", folder.resolve("onnx/model.onnx"));
        copyResource("all-minilm-l6-v2-tokenizer.json", folder.resolve("tokenizer.json"));
        try (var model = ModelFolder.open(folder, CPU)) {
            assertEquals("minilm-onnx", model.name());
            assertEquals(6, model.config().nLayer());
            assertFalse(model.config().causal());
            assertNotNull(model.tokenizer());
        }
    }

    @Test
    void anOnnxFileWithoutTokenizerIsRefusedByName(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("model.onnx"), "not really");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.open(dir, CPU));
        assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
    }

    @Test
    void otherFoldersAreRefusedNamingWhatIsMissingAndWhatIsSupported(@TempDir Path dir) throws IOException {
        ModelFormatException empty = assertThrows(ModelFormatException.class, () -> ModelFolder.open(dir, CPU));
        assertTrue(empty.getMessage().contains("no config.json, no model.safetensors and no .onnx file"), empty.getMessage());
        assertTrue(empty.getMessage().contains("Supported:"), empty.getMessage());
        assertTrue(empty.getMessage().contains("t5 (T5 encoder-decoder)"), "the engine's list of families: " + empty.getMessage());

        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("pytorch_model.bin"), "weights");
        ModelFormatException bin = assertThrows(ModelFormatException.class, () -> ModelFolder.open(dir, CPU));
        assertTrue(bin.getMessage().contains("config.json but no model.safetensors"), bin.getMessage());
        assertTrue(bin.getMessage().contains("pytorch_model.bin"), bin.getMessage());

        MainViewModel vm = new MainViewModel(new DirectEngineExecutor(), ModelOpener.standard(CPU));
        vm.session().openFolder(dir);
        assertFalse(vm.status().isReady());
        assertTrue(vm.session().loadFailureProperty().get().contains("model.safetensors"), vm.session().loadFailureProperty().get());
        assertTrue(vm.session().recentModels().isEmpty(), "a folder that did not open is not remembered");
        vm.close();
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = SampleModels.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name + " is not on the class path");
            Files.copy(in, target);
        }
    }
}
