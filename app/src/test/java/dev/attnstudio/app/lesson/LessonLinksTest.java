package dev.attnstudio.app.lesson;

import dev.attnstudio.lessons.format.ViewSelection;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LessonLinksTest {

    @Test
    void aViewLinkSelectsItsViewAndPosition() {
        LessonLinks.Link link = LessonLinks.parse("view:head?layer=0&head=1").orElseThrow();
        assertEquals(new LessonLinks.Show(new ViewSelection("head", 0, 1, null, null, null, null)), link);
        LessonLinks.Link all = LessonLinks.parse("view:stages?layer=1&head=2&row=0&stack=cross&query=8&hook=decoder"
                + ".blocks.0.cross_attn.hook_pattern").orElseThrow();
        assertEquals(new LessonLinks.Show(new ViewSelection("stages", 1, 2, 0, "cross", 8,
                "decoder.blocks.0.cross_attn.hook_pattern")), all);
        assertEquals(new LessonLinks.Show(new ViewSelection("mask", null, null, null, null, null, null)),
                LessonLinks.parse("view:mask").orElseThrow());
    }

    @Test
    void aRunLinkRunsToAStepOrPattern() {
        assertEquals(new LessonLinks.RunTo("blocks.0.attn.hook_pattern"),
                LessonLinks.parse("run:blocks.0.attn.hook_pattern").orElseThrow());
        assertEquals(new LessonLinks.RunTo("blocks.*.attn.hook_pattern"),
                LessonLinks.parse("run:blocks.*.attn.hook_pattern").orElseThrow());
    }

    @Test
    void otherLinksAreNotActions() {
        assertTrue(LessonLinks.parse("https://example.org/attention").isEmpty());
        assertTrue(LessonLinks.parse("#a-heading").isEmpty());
        assertTrue(LessonLinks.parse(null).isEmpty());
    }

    @Test
    void aBrokenActionLinkSaysWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LessonLinks.parse("view:heads?layer=0"))
                .getMessage().contains("\"heads\" is not one of attention-grid, head,"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LessonLinks.parse("view:head?layer=one"))
                .getMessage().contains("layer is a whole number from 0, not \"one\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LessonLinks.parse("view:head?head=-1"))
                .getMessage().contains("head is a whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LessonLinks.parse("view:head?colour=red"))
                .getMessage().contains("unknown parameter(s) [colour]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LessonLinks.parse("view:head?stack=middle"))
                .getMessage().contains("stack is encoder, decoder or cross"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LessonLinks.parse("run:"))
                .getMessage().contains("names no step"));
    }

    @Test
    void highlightsAreSaidInWords() {
        assertEquals("Look at the cell of query 4 and key 1; the step blocks.0.attn.hook_qk_raw in the steps list.",
                LessonPanel.lookAt(java.util.List.of(new dev.attnstudio.lessons.format.Highlight.Cell(4, 1),
                        new dev.attnstudio.lessons.format.Highlight.Step("blocks.0.attn.hook_qk_raw")), null));
        assertEquals("Look at the row of query 8.", LessonPanel.lookAt(java.util.List.of(), 8));
        assertEquals("", LessonPanel.lookAt(java.util.List.of(), null));
    }
}
