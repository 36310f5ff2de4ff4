package dev.attnstudio.app.main;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Middle elision of hook names, measured in characters (one unit per character). */
class StepNameElisionTest {

    private static final String CROSS = "decoder.blocks.0.cross_attn.hook_pattern"; // 40 characters
    private static final String UNIT = "decoder.blocks.0";

    private static String fit(String name, String unit, int chars) {
        return StepNameElision.fit(name, unit, chars, String::length);
    }

    @Test
    void aNameThatFitsStaysWhole() {
        assertEquals(CROSS, fit(CROSS, UNIT, 40));
    }

    @Test
    void theUnitLosesItsMiddleThenItsFirstPartButOneLetter() {
        assertEquals("decoder.\u20260.cross_attn.hook_pattern", fit(CROSS, UNIT, 34));
        assertEquals("d\u20260.cross_attn.hook_pattern", fit(CROSS, UNIT, 33));
        assertEquals("d\u20260.cross_attn.hook_pattern", fit(CROSS, UNIT, 27));
    }

    @Test
    void thenWholePartsGoFromTheStartAndTheLastPartKeepsItsEnd() {
        assertEquals("\u2026cross_attn.hook_pattern", fit(CROSS, UNIT, 26));
        assertEquals("\u2026hook_pattern", fit(CROSS, UNIT, 23));
        assertEquals("\u2026ok_pattern", fit(CROSS, UNIT, 11));
        assertEquals("\u2026", fit(CROSS, UNIT, 0));
    }

    @Test
    void aTwoPartUnitKeepsItsLayer() {
        assertEquals("b\u20260.attn.hook_pattern", fit("blocks.0.attn.hook_pattern", "blocks.0", 22));
    }

    @Test
    void aNameOutsideItsUnitIsCutFromItsStart() {
        assertEquals("\u2026ook_embed", fit("encoder.hook_embed", "embed", 10));
    }
}
