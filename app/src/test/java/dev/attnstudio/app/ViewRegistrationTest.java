package dev.attnstudio.app;

import dev.attnstudio.app.attention.HeadTab;
import dev.attnstudio.app.heatmap.Heatmap;
import dev.attnstudio.app.main.MainViewModel;
import dev.attnstudio.app.views.BuiltView;
import dev.attnstudio.app.views.ViewExport;
import dev.attnstudio.app.views.ViewFeed;
import dev.attnstudio.app.views.ViewKey;
import dev.attnstudio.app.views.ViewRegistry;
import dev.attnstudio.app.views.ViewSpec;
import javafx.beans.binding.Bindings;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.GridPane;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.attnstudio.app.AppHarness.fx;
import static dev.attnstudio.app.AppHarness.menuItems;
import static dev.attnstudio.app.AppHarness.fireMenuItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Views registered with one line each reach the real window (headless Monocle): the studio's and as many more as
 * make twenty, so every key from Alt+1 to Alt+Shift+0 is in use. Each gets its tab, its key, its View menu item and a line in the
 * shortcut list; the extra view's feed runs while it shows, its readout reaches the status bar, and File > Export
 * writes it.
 */
class ViewRegistrationTest {

    /** Extra views: as many as make twenty with the studio's. */
    private static final int EXTRA = 20 - StudioViews.all().all().size();
    /** The extra views' readouts and feeds, by view id (filled when the window builds them). */
    private static final Map<String, StringProperty> READOUTS = new ConcurrentHashMap<>();
    private static final Map<String, ViewFeed<Integer>> FEEDS = new ConcurrentHashMap<>();
    private static final Heatmap MAP = Heatmap.of("extra.hook_map", 0, 1, 2, 2, new float[] {0.1f, 0.9f, 0.5f, 0.5f},
            List.of("a", "b"), List.of("a", "b"));

    private static AppHarness app;
    private final FxRobot robot = new FxRobot();

    /** A view in one registration: a label saying how many steps the pass has, with a readout and a 2x2 map. */
    private static ViewSpec extra(int n) {
        return new ViewSpec("extra-" + n, "Extra " + n, "A view the test registers in one line", host -> {
            Label label = new Label("no pass");
            label.setId("extra" + n + "Label");
            label.setMinSize(200, 80);
            ViewFeed<Integer> feed = host.feed("Extra " + n, (stepper, context) -> stepper.group().trace().program().size());
            label.textProperty().bind(Bindings.createStringBinding(() -> feed.dataProperty().get() == null ? "no pass"
                    : feed.dataProperty().get() + " steps", feed.dataProperty()));
            StringProperty readout = new SimpleStringProperty("");
            READOUTS.put("extra-" + n, readout);
            FEEDS.put("extra-" + n, feed);
            return BuiltView.of(label).exportedAs(ViewExport.picture(label).withMap(() -> MAP)).readingOut(readout);
        });
    }

    @BeforeAll
    static void start() throws Exception {
        ViewRegistry views = StudioViews.all();
        for (int n = 1; n <= EXTRA; n++) {
            views = views.with(extra(n));
        }
        app = AppHarness.start(views);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(() -> vm().status().isReady() && !vm().status().isBusy()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    @Test
    void everyViewHasItsTabItsKeyAndItsMenuItemAndNoShortcutCollides() throws Exception {
        ViewRegistry views = app.view().views();
        assertEquals(20, views.all().size());
        TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
        assertEquals(views.all().stream().map(ViewSpec::tabId).toList(), fx(() -> tabs.getTabs().stream().map(Tab::getId).toList()));

        Map<String, MenuItem> items = fx(() -> menuItems().stream().filter(i -> i.getId() != null)
                .collect(HashMap::new, (m, i) -> m.put(i.getId(), i), Map::putAll));
        List<KeyCombination> accelerators = fx(() -> menuItems().stream().map(MenuItem::getAccelerator)
                .filter(a -> a != null).toList());
        assertEquals(accelerators.size(), accelerators.stream().distinct().count(), "two menu items share a key: " + accelerators);

        for (ViewSpec view : views.all()) {
            ViewKey key = views.key(view).orElseThrow();
            MenuItem item = items.get(view.menuItemId());
            assertNotNull(item, "no View menu item for " + view.id());
            assertEquals(view.title(), item.getText());
            assertEquals(key.combination(), item.getAccelerator());
            robot.push(key.codes());
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(fx(() -> app.view().tab(view.id()).isSelected()), key.text() + " shows " + view.title());
        }
        assertTrue(fx(() -> app.view().tab("extra-" + EXTRA).getTooltip().getText()).endsWith("(Alt+Shift+0)"));
        robot.interact(() -> app.view().select(HeadTab.SPEC.id()));
    }

    @Test
    void theExtraViewIsFedWhileShownReadsOutAndExports() throws Exception {
        robot.push(app.view().views().key(app.view().views().get("extra-1")).orElseThrow().codes()); // the first extra view
        ViewFeed<Integer> feed = FEEDS.get("extra-1");
        int steps = fx(() -> vm().stepping().steps().size());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> Integer.valueOf(steps).equals(feed.dataProperty().get())));
        assertEquals(steps + " steps", fx(() -> robot.lookup("#extra1Label").queryAs(Label.class).getText()));
        assertTrue(fx(() -> feed.activeProperty().get()));
        assertFalse(fx(() -> FEEDS.get("extra-2").activeProperty().get()), "a hidden view's feed costs no engine time");

        robot.interact(() -> READOUTS.get("extra-1").set("query 1, key 0: 0.5"));
        assertEquals("query 1, key 0: 0.5", fx(() -> robot.lookup("#statusHover").queryAs(Label.class).getText()));
        robot.interact(() -> READOUTS.get("extra-1").set("Hover a cell"));
        assertEquals("", fx(() -> robot.lookup("#statusHover").queryAs(Label.class).getText()), "hints stay in the view");

        Path dir = Files.createTempDirectory("attnstudio-extra-view");
        List<String> suggested = new ArrayList<>();
        robot.interact(() -> app.view().setFileAsker((owner, title, name, extensions) -> {
            suggested.add(title + ": " + name);
            return dir.resolve(name);
        }));
        Node label = robot.lookup("#extra1Label").query();
        double width = fx(() -> label.getLayoutBounds().getWidth());
        fireMenuItem("exportPng2xItem");
        Path png = awaitExport(dir, ".png");
        assertEquals("Export Extra 1 as PNG: tiny-gpt_extra.hook_map_layer0.png", suggested.get(0));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(Math.round(width * 2), image.getWidth(), "a picture of the view's node");

        fireMenuItem("exportSvgItem");
        Path svg = awaitExport(dir, ".svg");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        Document document = factory.newDocumentBuilder().parse(svg.toFile());
        NodeList rects = document.getElementsByTagName("rect");
        long cells = IntStream.range(0, rects.getLength())
                .filter(i -> ((org.w3c.dom.Element) rects.item(i)).getAttribute("class").equals("cell")).count();
        assertEquals(4, cells, "the view's map as vector cells");
        assertTrue(document.getDocumentElement().getTextContent().contains("extra.hook_map"));

        robot.interact(() -> app.view().select(HeadTab.SPEC.id()));
        assertFalse(fx(() -> feed.activeProperty().get()));
    }

    @Test
    void theShortcutListNamesEveryView() throws Exception {
        robot.push(KeyCode.F1);
        WaitForAsyncUtils.waitForFxEvents();
        GridPane table = robot.lookup("#shortcutTable").queryAs(GridPane.class);
        try {
            List<String> texts = fx(() -> table.getChildren().stream().filter(n -> n instanceof Label)
                    .map(n -> ((Label) n).getText()).toList());
            for (ViewSpec view : app.view().views().all()) {
                KeyCombination key = app.view().views().key(view).orElseThrow().combination();
                int at = texts.indexOf(view.title());
                assertTrue(at >= 0, view.title() + " is not in the shortcut list");
                assertEquals(fx(key::getDisplayText), texts.get(at + 1), view.title());
            }
        } finally {
            robot.interact(() -> table.getScene().getWindow().hide());
        }
    }

    /** The one file with this extension the export wrote into {@code dir}, once its status says it is done. */
    private static Path awaitExport(Path dir, String extension) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> {
            try (Stream<Path> files = Files.list(dir)) {
                return files.anyMatch(f -> f.toString().endsWith(extension))
                        && fx(() -> vm().status().messageProperty().get().text()).startsWith("Exported ");
            }
        });
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(extension)).findFirst().orElseThrow();
        }
    }

    private static MainViewModel vm() {
        return app.viewModel();
    }

}
