package dev.attnstudio.app;

import dev.attnstudio.app.main.ModelOpener;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.load.OnnxBertImport;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.samples.ModelSource;
import dev.attnstudio.samples.SampleModels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens models as the app does on the CPU, but imports each bundled ONNX sample's graph once: every later open of that
 * sample builds a new model from the weights imported the first time (parsing 90-130 MB of protobuf again on each open
 * would add half a minute to a test that opens them many times and test nothing about the window).
 */
final class ImportOnce implements ModelOpener {

    private final Map<String, OnnxBertImport.Imported> imported = new ConcurrentHashMap<>();

    @Override
    public LoadedModel open(ModelSource source) {
        SampleModels.Sample sample = source instanceof ModelSource.Sample s ? SampleModels.find(s.name()).orElseThrow() : null;
        if (sample != null && sample.source() instanceof SampleModels.MavenOnnx onnx) {
            OnnxBertImport.Imported w = imported.computeIfAbsent(sample.name(), n -> SampleModels.importOnnx(onnx));
            return LoadedModel.of(sample.name(), w.config(), w.tensors(), SampleModels.tokenizer(onnx), DjlRuntime.DeviceChoice.CPU);
        }
        return source.open(DjlRuntime.DeviceChoice.CPU);
    }
}
