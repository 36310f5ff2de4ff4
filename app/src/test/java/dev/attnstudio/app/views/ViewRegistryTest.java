package dev.attnstudio.app.views;

import dev.attnstudio.app.StudioViews;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The view registry without the toolkit: keys, ids and the listing the screenshot script reads. */
class ViewRegistryTest {

    /** A view that is never built here. */
    private static ViewSpec dummy(int n) {
        return new ViewSpec("dummy-" + n, "Dummy " + n, "A view registered by the test", host -> {
            throw new AssertionError("not built in this test");
        });
    }

    private static ViewRegistry dummies(int count) {
        return ViewRegistry.of(IntStream.rangeClosed(1, count).mapToObj(ViewRegistryTest::dummy).toList());
    }

    @Test
    void twentyViewsHaveTwentyDifferentKeysAndEveryViewIsReachable() {
        ViewRegistry registry = dummies(20);
        Set<KeyCombination> combinations = new HashSet<>();
        Set<String> texts = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (ViewSpec view : registry.all()) {
            ViewKey key = registry.key(view).orElseThrow(() -> new AssertionError(view.id() + " has no key"));
            assertTrue(combinations.add(key.combination()), "two views share " + key.text());
            assertTrue(texts.add(key.text()), key.text());
            assertTrue(ids.add(view.tabId()) && ids.add(view.menuItemId()), view.id());
            assertEquals(view, registry.get(view.id()), "found by its id");
        }
        assertEquals(20, combinations.size());
        List<String> keys = registry.all().stream().map(v -> registry.key(v).orElseThrow().text()).toList();
        assertEquals(List.of("Alt+1", "Alt+2", "Alt+3", "Alt+4", "Alt+5", "Alt+6", "Alt+7", "Alt+8", "Alt+9", "Alt+0",
                "Alt+Shift+1", "Alt+Shift+2", "Alt+Shift+3", "Alt+Shift+4", "Alt+Shift+5", "Alt+Shift+6", "Alt+Shift+7",
                "Alt+Shift+8", "Alt+Shift+9", "Alt+Shift+0"), keys);
        assertEquals(new KeyCodeCombination(KeyCode.DIGIT0, KeyCombination.ALT_DOWN), registry.key(registry.get("dummy-10"))
                .orElseThrow().combination());
        assertEquals(new KeyCodeCombination(KeyCode.DIGIT1, KeyCombination.ALT_DOWN, KeyCombination.SHIFT_DOWN),
                registry.key(registry.get("dummy-11")).orElseThrow().combination());
        assertArrayEquals(new KeyCode[] {KeyCode.ALT, KeyCode.SHIFT, KeyCode.DIGIT5},
                registry.key(registry.get("dummy-15")).orElseThrow().codes());
    }

    @Test
    void viewsAfterTheTwentiethHaveNoKeyButAreListed() {
        ViewRegistry registry = dummies(23);
        assertEquals(Optional.empty(), registry.key(registry.get("dummy-21")));
        assertEquals(Optional.empty(), registry.key(registry.get("dummy-23")));
        List<String> listing = registry.listing();
        assertEquals(23, listing.size());
        assertEquals("dummy-20\tDummy 20\tAlt+Shift+0", listing.get(19));
        assertEquals("dummy-21\tDummy 21\t-", listing.get(20));
    }

    @Test
    void theStudiosViewsKeepTheirTabsKeysAndNodeIds() {
        ViewRegistry studio = StudioViews.all();
        assertEquals(List.of(
                "attention-grid\tAttention grid\tAlt+1",
                "head\tHead\tAlt+2",
                "head-view\tHead view\tAlt+3",
                "stages\tStages\tAlt+4",
                "mask\tMask\tAlt+5",
                "kv-cache\tKV cache\tAlt+6",
                "entropy\tEntropy\tAlt+7",
                "generation\tGeneration\tAlt+8",
                "pipeline\tPipeline\tAlt+9",
                "inspector\tInspector\tAlt+0",
                "health	Health	Alt+Shift+1",
                "lint	Lint	Alt+Shift+2",
                "rollout	Rollout	Alt+Shift+3",
                "logit-lens	Logit lens	Alt+Shift+4",
                "diff	Diff	Alt+Shift+5",
                "timeline	Timeline	Alt+Shift+6"), studio.listing());
        assertEquals(List.of("attentionGridTab", "headTab", "headViewTab", "stagesTab", "maskTab", "kvCacheTab", "entropyTab",
                "generationTab", "pipelineTab", "inspectorTab", "healthTab", "lintTab", "rolloutTab", "logitLensTab",
                "diffTab", "timelineTab"), studio.all().stream().map(ViewSpec::tabId).toList());
        assertEquals("headViewItem", studio.get("head-view").menuItemId());
        assertEquals("head", studio.first().id(), "the window opens on the Head tab");
    }

    @Test
    void aRegistrationIsCheckedOnce() {
        assertThrows(IllegalArgumentException.class, () -> dummies(2).with(dummy(1)), "an id taken twice");
        assertThrows(IllegalArgumentException.class, () -> dummies(2).openingOn("dummy-3"));
        for (String id : List.of("Head", "head view", "head_view", "-head", "head-", "")) {
            assertThrows(IllegalArgumentException.class, () -> new ViewSpec(id, "T", "help", host -> null), id);
        }
        assertThrows(IllegalArgumentException.class, () -> new ViewSpec("ok", "T", " ", host -> null), "no help");
        List<ViewSpec> none = new ArrayList<>();
        assertThrows(IllegalArgumentException.class, () -> ViewRegistry.of(none));
        assertEquals(21, dummies(20).with(dummy(21)).all().size());
    }
}
