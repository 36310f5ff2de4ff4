package dev.attnstudio.app.export;

import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.inspector.InspectorData;
import dev.attnstudio.app.inspector.TensorInspector;
import dev.attnstudio.app.pipeline.PipelineData;
import dev.attnstudio.app.pipeline.PipelineView;
import dev.attnstudio.app.theme.Styles;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.samples.SampleModels;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.attnstudio.app.ViewStage.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Screenshots of the pipeline view and the inspector on MiniLM, in the light theme and with the semantic
 * colour tokens redefined dark, written with the export service to {@code app/target/screenshots/} for a
 * person to look at.
 */
class InspectScreenshotsTest {

    static final Path OUT = Path.of("target", "screenshots");
    /** The -as-* tokens redefined dark, as a dark theme would; enough to see that the views follow them. */
    private static final String DARK = "data:text/css;base64," + Base64.getEncoder().encodeToString((
            ".root { -as-background: #1e2127; -as-surface: #282c34; -as-border: #3e4451; -as-text: #dcdfe4;"
                    + " -as-text-muted: #9aa1ad; -as-accent: #5c9cf5; -as-accent-soft: #2c3a52; -as-computed: #dcdfe4;"
                    + " -as-pending: #6b7280; -as-special: #e5a050; -as-special-soft: #3d3020; -as-error: #f07070;"
                    + " -as-token-background: #2f343e; -fx-base: #2b2f36; -fx-control-inner-background: #282c34; }").getBytes());

    private static LoadedModel model;
    private static Stepper stepper;
    private static List<List<String>> tokens;
    private static Stage stage;
    private static final ExportService service = new ExportService();

    @BeforeAll
    static void setUp() throws Exception {
        model = SampleModels.open("all-minilm-l6-v2", DjlRuntime.DeviceChoice.CPU);
        stepper = new Stepper(model.model(), Stepper.Options.DEFAULT);
        Tokenizer.Tokens t = model.tokenizer().encode("The cat sat on the mat.");
        tokens = List.of(Arrays.asList(t.strings()));
        stepper.reset(t.ids());
        stepper.runTo("blocks.1.attn.hook_pattern");
        FxToolkit.registerPrimaryStage();
        stage = fx(Stage::new); // own stage: the primary one keeps sizes other test classes set
        Files.createDirectories(OUT);
    }

    @AfterAll
    static void tearDown() throws Exception {
        FxToolkit.cleanupStages();
        service.close();
        stepper.close();
        model.close();
    }

    @Test
    void pipelineAndInspectorInBothThemes() throws Exception {
        PipelineData pipeline = PipelineData.from(stepper);
        InspectorData inspector = InspectorData.from(stepper, tokens);
        for (boolean dark : new boolean[] {false, true}) {
            String theme = dark ? "dark" : "light";
            PipelineView p = fx(PipelineView::new);
            fx(() -> {
                p.setData(pipeline);
                return null;
            });
            shoot(p, 1260, 640, dark, "pipeline-" + theme + ".png");
            TensorInspector i = fx(TensorInspector::new);
            fx(() -> {
                i.setData(inspector);
                i.select(1, 3);
                return null;
            });
            shoot(i, 1000, 620, dark, "inspector-" + theme + ".png");
        }
        StageData head3 = StageData.from(stepper, 1, 3, tokens.get(0));
        Heatmap map = heatmap(head3, head3.pattern());
        service.heatmapSvg(map, Caption.forHeatmap(model.name(), "The cat sat on the mat.", map),
                OUT.resolve("pattern-head3.svg").toAbsolutePath(), true).get(30, TimeUnit.SECONDS);
    }

    /** A decoder's masked scores: diverging colours and hatched -inf cells in the vector export. */
    @Test
    void causalScoresAsVectorSvg() throws Exception {
        try (LoadedModel gpt2 = SampleModels.open("random-gpt2-tiny", DjlRuntime.DeviceChoice.CPU);
             Stepper s = new Stepper(gpt2.model(), Stepper.Options.DEFAULT)) {
            Tokenizer.Tokens t = gpt2.tokenizer().encode("Hello, attention");
            s.reset(t.ids());
            s.runTo("blocks.0.attn.hook_attn_scores");
            StageData head0 = StageData.from(s, 0, 0, Arrays.asList(t.strings()));
            Heatmap map = heatmap(head0, head0.masked());
            service.heatmapSvg(map, Caption.forHeatmap(gpt2.name(), "Hello, attention", map),
                    OUT.resolve("gpt2-scores-head0.svg").toAbsolutePath(), true).get(30, TimeUnit.SECONDS);
        }
    }

    /** One stage of the head view as the window's SVG export hands it over. */
    private static Heatmap heatmap(StageData head, AttentionMatrix m) {
        return Heatmap.of(m.hook(), head.head(), head.heads(), m.rows(), m.cols(), m.values(), m.rowLabels(), m.colLabels());
    }

    private void shoot(Parent view, double w, double h, boolean dark, String file) throws Exception {
        fx(() -> {
            Scene scene = new Scene(view, w, h);
            scene.getStylesheets().add(Styles.stylesheet());
            if (dark) {
                scene.getStylesheets().add(DARK);
            }
            stage.setScene(scene);
            stage.show();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // the pipeline scrolls its current step into view
        WaitForAsyncUtils.waitForFxEvents();
        Caption caption = Caption.of(model.name(), "The cat sat on the mat.").withStage(stepper.current().name());
        CompletableFuture<Path> done = fx(() -> service.png(view, 1, caption, OUT.resolve(file).toAbsolutePath(), true));
        Path png = done.get(30, TimeUnit.SECONDS);
        assertEquals((int) w, ImageIO.read(png.toFile()).getWidth());
    }
}
