package dev.attnstudio.app.main;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hook names broken after their dots, measured here in characters. */
class DottedNamesTest {

    private static String wrap(String name, int chars) {
        return DottedNames.wrap(name, chars, String::length);
    }

    @Test
    void aNameThatFitsStaysOnOneLine() {
        assertEquals("blocks.0.attn.hook_pattern", wrap("blocks.0.attn.hook_pattern", 26));
    }

    @Test
    void eachLineTakesAsManyPartsAsFit() {
        assertEquals("blocks.0.attn.\nhook_attn_scores_unmasked", wrap("blocks.0.attn.hook_attn_scores_unmasked", 25));
        assertEquals("decoder.blocks.0.\ncross_attn.\nhook_pattern", wrap("decoder.blocks.0.cross_attn.hook_pattern", 17));
    }

    @Test
    void aPartLongerThanTheRoomGetsALineOfItsOwnAndNothingIsLost() {
        String name = "blocks.10.hook_resid_post";
        String wrapped = wrap(name, 5);
        assertEquals("blocks.\n10.\nhook_resid_post", wrapped);
        assertEquals(name, wrapped.replace("\n", ""));
    }
}
