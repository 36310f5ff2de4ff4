package dev.attnstudio.app.main;

import dev.attnstudio.app.AppHarness;
import dev.attnstudio.app.markdown.MarkdownStyles;
import dev.attnstudio.app.panels.KvCacheTab;
import dev.attnstudio.samples.SampleModels;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.chart.StackedBarChart;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.GridPane;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.awaitIdle;
import static dev.attnstudio.app.AppHarness.menuItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a new user meets (headless Monocle): the app starts on the trained tiny-gpt with its prompt; File ▸ Open
 * sample says in one line what each sample is; opening one fills in a prompt it understands; Help ▸ Model info
 * (Ctrl+I) renders the open model's card and follows the model; Help ▸ About is about the app; and a view that does not
 * apply to the open model (the KV cache of an encoder) says why.
 */
class SampleCardsWindowTest {

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
    void theAppStartsOnATrainedSampleWithItsPrompt() throws Exception {
        SampleModels.Sample tinyGpt = SampleModels.find("tiny-gpt").orElseThrow();
        assertEquals("tiny-gpt", fx(() -> vm().session().modelInfoProperty().get().name()));
        assertEquals(tinyGpt.prompt(), fx(() -> robot.lookup("#prompt").queryAs(TextArea.class).getText()));
        assertEquals(tinyGpt.prompt().length(), (int) fx(() -> vm().prompt().tokens().size()), "byte-level: a token per byte");
    }

    @Test
    void withoutAPassTheStepsListSaysWhy() throws Exception {
        String before = fx(() -> vm().prompt().textProperty().get());
        try {
            fx(() -> {
                vm().prompt().textProperty().set("x".repeat(200)); // tiny-gpt reads 128 positions
                return null;
            });
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> vm().stepping().steps().isEmpty()));
            assertEquals("No pass: the prompt has 200 tokens; this model reads at most 128 (n_positions)",
                    fx(() -> robot.lookup("#stepListPlaceholder").queryAs(Label.class).getText()));
        } finally {
            fx(() -> {
                vm().prompt().textProperty().set(before);
                return null;
            });
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> !vm().stepping().steps().isEmpty()));
        }
    }

    @Test
    void theSamplesMenuSaysWhatEachSampleIs() throws Exception {
        for (SampleModels.Sample s : SampleModels.catalog()) {
            MenuItem item = fx(() -> menuItem("sample-" + s.name()));
            List<String> lines = fx(() -> labels(item.getGraphic()));
            assertTrue(lines.get(0).startsWith(s.name()), lines.toString());
            assertEquals(s.description(), lines.get(1), s.name());
        }
        assertTrue(fx(() -> labels(menuItem("sample-induction-2l-collapsed").getGraphic()).get(1)).contains("Deliberately broken"));
        assertTrue(fx(() -> labels(menuItem("sample-induction-2l").getGraphic()).get(1)).contains("a0 .. a63"));
    }

    @Test
    void modelInfoRendersTheOpenModelsCardAndFollowsTheModel() throws Exception {
        open("reverse-t5");
        assertEquals("attention", fx(() -> robot.lookup("#prompt").queryAs(TextArea.class).getText()),
                "opening a sample fills in its suggested prompt");

        robot.push(KeyCode.CONTROL, KeyCode.I); // Help > Model info
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> robot.lookup("#modelInfoPanel").tryQuery().isPresent()
                && robot.lookup("#modelInfoPanel").query().getScene().getWindow().isShowing()));
        Window window = fx(() -> robot.lookup("#modelInfoPanel").query().getScene().getWindow());
        try {
            assertEquals("reverse-t5", fx(() -> robot.lookup("#modelInfoTitle").queryAs(Label.class).getText()));
            assertEquals(SampleModels.find("reverse-t5").orElseThrow().description(),
                    fx(() -> robot.lookup("#modelInfoDescription").queryAs(Label.class).getText()));
            assertTrue(fx(() -> robot.lookup("#modelInfoFacts").queryAs(Label.class).getText()).startsWith("t5 \u00b7 2 layers"));
            Parent card = fx(() -> robot.lookup("#modelCard").queryAs(Parent.class));
            assertEquals("reverse-t5", fx(() -> headings(card, "md-h1")).get(0));
            assertTrue(fx(() -> headings(card, "md-h2")).containsAll(List.of("At a glance", "Data", "Training")),
                    fx(() -> headings(card, "md-h2")).toString());
            List<GridPane> tables = fx(() -> robot.from(card).lookup("." + MarkdownStyles.TABLE).queryAllAs(GridPane.class)
                    .stream().toList());
            assertTrue(tables.size() >= 3, tables.size() + " tables");
            assertTrue(fx(() -> tables.get(0).getChildren().stream().anyMatch(n -> text(n).equals("Exact match"))),
                    "the first table's cells are nodes with their text");
            assertTrue(fx(() -> window.getWidth() > 400 && window.isShowing()));

            open("tiny-gpt"); // the window follows the model
            assertEquals("tiny-gpt", fx(() -> robot.lookup("#modelInfoTitle").queryAs(Label.class).getText()));
            assertTrue(fx(() -> headings(card, "md-h2")).contains("Sample generations"));
            assertTrue(fx(() -> ((javafx.stage.Stage) window).getTitle()).endsWith("tiny-gpt"));
        } finally {
            fx(() -> {
                window.hide();
                return null;
            });
        }
    }

    @Test
    void aboutIsAboutTheApp() throws Exception {
        fx(() -> {
            menuItem("aboutItem").fire();
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> robot.lookup("#aboutText").tryQuery().isPresent()));
        Parent about = fx(() -> robot.lookup("#aboutText").queryAs(Parent.class));
        try {
            assertEquals("Attention Studio", fx(() -> headings(about, "md-h1")).get(0));
            String all = fx(() -> text(about));
            assertTrue(all.contains("never opens a network connection"), all);
            assertFalse(all.contains("random-gpt2-tiny"), "not a sample's card");
            assertFalse(fx(() -> robot.from(about).lookup("." + MarkdownStyles.TABLE).queryAll()).isEmpty());
        } finally {
            fx(() -> {
                about.getScene().getWindow().hide();
                return null;
            });
        }
    }

    @Test
    void theKvCacheOfAnEncoderSaysWhyThereIsNone() throws Exception {
        fx(() -> {
            app.view().select(KvCacheTab.SPEC.id());
            return null;
        });
        try {
            open("all-minilm-l6-v2");
            Parent panel = fx(() -> robot.lookup("#kvCachePanel").queryAs(Parent.class));
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> text(panel).contains("is an encoder")));
            String shown = fx(() -> visibleText(panel));
            assertTrue(shown.contains("all-minilm-l6-v2 (bert) is an encoder"), shown);
            assertFalse(shown.contains("generated token"), "nothing about generated tokens: " + shown);
            assertTrue(fx(() -> robot.from(panel).lookup((Node n) -> n instanceof StackedBarChart).queryAll().stream()
                    .noneMatch(SampleCardsWindowTest::shown)), "no empty charts");

            open("tiny-gpt");
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> visibleText(panel).contains("appears once")
                    || visibleText(panel).contains("positions cached")));
            assertFalse(fx(() -> visibleText(panel)).contains("encoder"));
        } finally {
            fx(() -> {
                app.view().select("head");
                return null;
            });
        }
    }

    private void open(String sample) throws Exception {
        fx(() -> {
            menuItem("sample-" + sample).fire();
            return null;
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().session().modelInfoProperty().get() != null
                && vm().session().modelInfoProperty().get().name().equals(sample)));
        awaitIdle(vm());
    }

    private static List<String> headings(Parent root, String level) {
        List<String> out = new ArrayList<>();
        collect(root, n -> n instanceof TextFlow && n.getStyleClass().contains(level), out);
        return out;
    }

    private static void collect(Node node, java.util.function.Predicate<Node> match, List<String> out) {
        if (match.test(node)) {
            out.add(text(node));
        } else if (node instanceof Parent p) {
            p.getChildrenUnmodifiable().forEach(c -> collect(c, match, out));
        }
    }

    private static List<String> labels(Node graphic) {
        List<String> out = new ArrayList<>();
        collect(graphic, n -> n instanceof Label, out);
        return out;
    }

    private static String text(Node node) {
        if (node instanceof Text t) {
            return t.getText();
        }
        if (node instanceof javafx.scene.control.Labeled l) {
            return l.getText();
        }
        if (node instanceof Parent p) {
            return p.getChildrenUnmodifiable().stream().map(SampleCardsWindowTest::text).collect(Collectors.joining(" "));
        }
        return "";
    }

    /** Whether a node and every parent of it are visible. */
    private static boolean shown(Node node) {
        for (Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private static String visibleText(Node node) {
        if (!node.isVisible()) {
            return "";
        }
        if (node instanceof javafx.scene.control.Labeled l) {
            return l.getText() == null ? "" : l.getText();
        }
        if (node instanceof Parent p) {
            return p.getChildrenUnmodifiable().stream().map(SampleCardsWindowTest::visibleText).collect(Collectors.joining(" "));
        }
        return "";
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

}
