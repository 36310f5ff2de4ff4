package dev.attnstudio.app.main;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.attention.AttentionMatrix;
import dev.attnstudio.app.attention.HeadDetailView;
import dev.attnstudio.app.attention.HeadTab;
import dev.attnstudio.app.attention.StageData;
import dev.attnstudio.app.heatmap.GridCanvas;
import dev.attnstudio.app.views.AttentionSource;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Stepper;
import dev.attnstudio.engine.step.TensorData;
import dev.attnstudio.samples.SampleModels;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.fireMenuItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trained encoder-decoder sample {@code reverse-t5} in the real window (headless Monocle): opened from File ▸
 * Open sample, a prompt typed, F5 to a breakpoint on the last decoder block's cross-attention pattern, the Head tab
 * showing that map (decoder rows × encoder columns, captioned as cross-attention) with the values a separate
 * stepper computes, the map exported as SVG, and generation (Ctrl+G, Ctrl+Enter) writing the prompt backwards into
 * the decoder's token row.
 */
class T5WindowTest {

    private static final String SAMPLE = "reverse-t5";
    private static final String PROMPT = "attention";
    private static final String CROSS = "decoder.blocks.1.cross_attn.hook_pattern";
    private static final int GENERATED = 4;

    private static AppHarness app;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        app = AppHarness.start();
        awaitIdle(vm());
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    @Test
    void crossAttentionInTheHeadTabItsSvgAndGenerationOnReverseT5() throws Exception {
        fireMenuItem("sample-" + SAMPLE); // File > Open sample > reverse-t5
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                && vm().session().modelInfoProperty().get().name().equals(SAMPLE) && vm().status().isReady() && !vm().status().isBusy()));
        assertTrue(fx(() -> vm().session().encoderDecoderProperty().get()));

        robot.clickOn("#prompt");
        robot.push(KeyCode.CONTROL, KeyCode.A);
        robot.push(KeyCode.BACK_SPACE);
        robot.write(PROMPT);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() ->
                PROMPT.equals(robot.lookup("#prompt").queryAs(TextArea.class).getText())));
        awaitIdle(vm());

        // the breakpoint on the cross-attention pattern, every other one unticked
        TextField field = robot.lookup("#breakpointField").queryAs(TextField.class);
        robot.interact(field::requestFocus);
        robot.write(CROSS);
        robot.push(KeyCode.ENTER);
        ListView<?> list = robot.lookup("#breakpointList").queryAs(ListView.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> vm().breakpoints().list().stream()
                .anyMatch(b -> b.pattern().equals(CROSS))));
        WaitForAsyncUtils.waitForFxEvents();
        for (CheckBox tick : robot.lookup(".check-box").match(n -> list.equals(ancestor(n, ListView.class)))
                .queryAllAs(CheckBox.class)) {
            if (fx(() -> tick.isSelected() != tick.getText().replace("\n", "").equals(CROSS))) {
                robot.interact(tick::fire); // as a click does (robot clicks there can land on a tooltip's window)
            }
        }
        assertTrue(fx(() -> vm().breakpoints().list().stream().allMatch(b -> b.isEnabled() == b.pattern().equals(CROSS))),
                () -> "only the cross-attention breakpoint is on: " + vm().breakpoints().list());

        robot.push(KeyCode.ALT, KeyCode.DIGIT2); // the Head tab
        robot.push(KeyCode.F5);
        awaitIdle(vm());
        assertEquals(CROSS, fx(() -> label("#currentStepName").replace("\n", ""))); // long names break after dots
        assertTrue(fx(() -> app.view().tab(HeadTab.SPEC.id()).isSelected()));

        // the step list shows a long name whole (on two lines where it must)
        String listed = fx(() -> robot.lookup("#stepList .list-cell").queryAllAs(javafx.scene.control.ListCell.class)
                .stream().filter(c -> c.getItem() instanceof StepRow r && r.name().equals(CROSS)).findFirst()
                .map(c -> robot.from(c).lookup(".hook-name").queryAs(Label.class).getText()).orElseThrow());
        assertEquals(CROSS, listed.replace("\n", ""));

        // the token strip shows both its lines, the encoder's source and the decoder's tokens, without scrolling
        assertEquals(List.of("encoder", "decoder"), fx(this::linesInTokenViewport));

        HeadDetailView head = robot.lookup("#headDetail").queryAs(HeadDetailView.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> head.getData() != null
                && head.getData().pattern() != null && CROSS.equals(head.getData().pattern().hook())));
        StageData data = fx(head::getData);
        AttentionMatrix shown = data.pattern();
        assertTrue(fx(() -> head.map().getMatrix() == shown), "the map draws the pattern");
        assertTrue(data.caption().contains("cross-attention"), data.caption());
        String header = fx(() -> robot.from(head).lookup(".attention-title").queryAs(Label.class).getText());
        assertTrue(header.contains("decoder layer 1 cross-attention"), header);

        try (LoadedModel reference = SampleModels.open(SAMPLE, DjlRuntime.DeviceChoice.CPU);
             Stepper stepper = new Stepper(reference.model(), Stepper.Options.DEFAULT)) {
            long[] source = reference.tokenizer().encode(PROMPT).ids();
            stepper.reset(source);
            stepper.runTo(CROSS);
            TensorData pattern = stepper.read(CROSS); // [B, H, T, S]
            assertEquals(pattern.shape()[2], shown.rows(), "rows: the decoder's tokens");
            assertEquals(1, shown.rows(), "the prompt's pass decodes the start token");
            assertEquals(source.length, shown.cols(), "columns: the encoder's tokens");
            assertEquals(fx(() -> vm().prompt().tokens().size()), (Integer) shown.cols());
            assertEquals(fx(() -> vm().prompt().decoderTokens().get(0).text()), shown.rowLabels().get(0));
            for (int q = 0; q < shown.rows(); q++) {
                for (int k = 0; k < shown.cols(); k++) {
                    assertEquals(pattern.get(0, data.head(), q, k), shown.get(q, k), 0f, "q " + q + " k " + k);
                }
            }
        }

        // File > Export view as SVG: vector cells of the map and the caption
        Path dir = Files.createTempDirectory("attnstudio-t5-svg");
        robot.interact(() -> app.view().setFileAsker((owner, title, name, extensions) -> dir.resolve(name)));
        fireMenuItem("exportSvgItem");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> vm().status().messageProperty().get().text()).startsWith("Exported "));
        Path svg;
        try (Stream<Path> files = Files.list(dir)) {
            svg = files.filter(f -> f.toString().endsWith(".svg")).findFirst().orElseThrow();
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        Document document = factory.newDocumentBuilder().parse(svg.toFile()); // throws unless well-formed XML
        assertEquals("svg", document.getDocumentElement().getTagName());
        NodeList rects = document.getElementsByTagName("rect");
        int cells = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            cells += ((Element) rects.item(i)).getAttribute("class").equals("cell") ? 1 : 0;
        }
        assertEquals(shown.rows() * shown.cols(), cells, "a rect per cell");
        String text = document.getDocumentElement().getTextContent();
        assertTrue(text.contains("model: " + SAMPLE), text);
        assertTrue(text.contains("prompt: \u201c" + PROMPT + "\u201d"), text);
        assertTrue(text.contains("layer decoder 1 (cross-attention)") && text.contains("head " + data.head()), text);
        assertTrue(text.contains(CROSS), text);

        // generation: the decoder writes the prompt backwards, one token per Ctrl+G and run to the end
        for (int i = 0; i < GENERATED; i++) {
            robot.push(KeyCode.CONTROL, KeyCode.G);
            awaitIdle(vm());
            robot.push(KeyCode.CONTROL, KeyCode.ENTER);
            awaitIdle(vm());
            assertFalse(fx(() -> vm().status().messageProperty().get().error()), () -> vm().status().messageProperty().get().text());
        }
        List<String> row = fx(this::decoderRow);
        assertEquals(GENERATED + 1, row.size(), "start token + generated: " + row);
        String reversed = new StringBuilder(PROMPT).reverse().toString();
        for (int i = 0; i < GENERATED; i++) {
            assertEquals(String.valueOf(reversed.charAt(i)), row.get(i + 1), "decoder row " + row);
        }
        assertEquals(row, fx(() -> vm().prompt().decoderTokens().stream().map(dev.attnstudio.app.tokens.TokenChip::text).toList()));

        // Health: a cross-attention head's jump shows it in the Head view with the cross-attention selected
        robot.interact(() -> vm().selection().attentionSourceProperty().set(AttentionSource.ENCODER));
        robot.push(KeyCode.ALT, KeyCode.SHIFT, KeyCode.DIGIT1); // the Health tab
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> fx(() -> robot.lookup("#healthGrid").tryQuery()
                .map(Node::isVisible).orElse(false) && !robot.lookup("#healthSummary").queryAs(Label.class).getText().isEmpty()));
        GridCanvas grid = robot.lookup("#healthGrid").queryAs(GridCanvas.class);
        int selfRows;
        try (LoadedModel reference = SampleModels.open(SAMPLE, DjlRuntime.DeviceChoice.CPU)) {
            selfRows = reference.model().capabilities().sites().stream().filter(site -> !site.cross())
                    .mapToInt(site -> site.stack().layers()).sum();
        }
        // the first cross-attention row, past every self-attention row, selected as a click or the arrow keys select it
        robot.interact(() -> grid.cursor.set(new GridCanvas.Cell(selfRows, 0)));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(AttentionSource.CROSS, fx(() -> vm().selection().attentionSourceProperty().get()));
        assertEquals(0, (int) fx(() -> vm().selection().layerProperty().get()));
        robot.interact(() -> vm().selection().attentionSourceProperty().set(AttentionSource.ENCODER));
        robot.clickOn("#healthOpenHead");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(fx(() -> app.view().tab(HeadTab.SPEC.id()).isSelected()));
        assertEquals(AttentionSource.CROSS, fx(() -> vm().selection().attentionSourceProperty().get()));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> head.getData() != null && head.getData().pattern() != null
                && "decoder.blocks.0.cross_attn.hook_pattern".equals(head.getData().pattern().hook())));
    }

    /** The names of the token strip's labelled lines that lie wholly inside its scroll pane's viewport. */
    private List<String> linesInTokenViewport() {
        ScrollPane scroll = robot.lookup("#tokenStrip").queryAs(ScrollPane.class);
        Node viewport = scroll.lookup(".viewport");
        javafx.geometry.Bounds shown = viewport.localToScene(viewport.getLayoutBounds());
        List<String> names = new ArrayList<>();
        for (Node line : ((Pane) scroll.getContent()).getChildrenUnmodifiable()) {
            javafx.geometry.Bounds b = line.localToScene(line.getLayoutBounds());
            if (line instanceof HBox box && box.getChildren().get(0) instanceof Label name
                    && b.getHeight() > 0 && b.getMinY() >= shown.getMinY() - 0.5 && b.getMaxY() <= shown.getMaxY() + 0.5) {
                names.add(name.getText());
            }
        }
        return names;
    }

    /** The texts of the chips on the token strip's "decoder" line. */
    private List<String> decoderRow() {
        Node strip = ((ScrollPane) robot.lookup("#tokenStrip").query()).getContent();
        for (Node line : ((Pane) strip).getChildrenUnmodifiable()) {
            if (line instanceof HBox box && box.getChildren().get(0) instanceof Label name && name.getText().equals("decoder")) {
                List<String> texts = new ArrayList<>();
                for (Node chip : ((Pane) box.getChildren().get(1)).getChildrenUnmodifiable()) {
                    texts.add(((Label) ((Pane) chip).getChildrenUnmodifiable().get(0)).getText());
                }
                return texts;
            }
        }
        throw new AssertionError("no decoder line on the token strip");
    }

    private static <T> T ancestor(Node n, Class<T> type) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (type.isInstance(p)) {
                return type.cast(p);
            }
        }
        return null;
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

    private String label(String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

}
