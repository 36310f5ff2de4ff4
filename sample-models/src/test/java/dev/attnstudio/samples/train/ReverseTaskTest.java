package dev.attnstudio.samples.train;

import dev.attnstudio.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ReverseTaskTest {

    @Test
    void theDecoderSequenceIsTheEncoderInputReversed() {
        ReverseTask.Examples e = ReverseTask.examples(new SplittableRandom(3), 50, 7);
        assertEquals(7, e.letters());
        for (int b = 0; b < e.size(); b++) {
            long[] in = e.encoder()[b];
            long[] out = e.decoder()[b];
            assertEquals(8, in.length);
            assertEquals(9, out.length);
            assertEquals(ReverseTask.EOS, in[7]);
            assertEquals(ReverseTask.PAD, out[0], "the decoder starts from <pad>");
            assertEquals(ReverseTask.EOS, out[8]);
            for (int j = 0; j < 7; j++) {
                assertEquals(in[7 - 1 - j], out[j + 1], "output j is input N-1-j");
                assertTrue(in[j] >= ReverseTask.FIRST_LETTER && in[j] < ReverseTask.VOCAB);
            }
            assertEquals(new StringBuilder(ReverseTask.text(java.util.Arrays.copyOf(in, 7))).reverse() + "</s>",
                    ReverseTask.text(e.target(b)));
        }
    }

    @Test
    void lettersRepeatSoContentAloneCannotPlaceThem() {
        ReverseTask.Examples e = ReverseTask.examples(new SplittableRandom(5), 200, ReverseTask.MAX_LENGTH);
        int withRepeat = 0;
        for (long[] row : e.encoder()) {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < ReverseTask.MAX_LENGTH; i++) {
                if (!seen.add(row[i])) {
                    withRepeat++;
                    break;
                }
            }
        }
        assertTrue(withRepeat > 100, "12 letters of 26 repeat one most of the time: " + withRepeat + " of 200");
    }

    @Test
    void theHeldOutSetIsFixedAndCoversEveryLength() {
        List<ReverseTask.Examples> a = ReverseTask.evalSet();
        List<ReverseTask.Examples> b = ReverseTask.evalSet();
        assertEquals(ReverseTask.MAX_LENGTH - ReverseTask.MIN_LENGTH + 1, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(ReverseTask.MIN_LENGTH + i, a.get(i).letters());
            assertEquals(ReverseTask.EVAL_ROWS_PER_LENGTH, a.get(i).size());
            assertArrayEquals(a.get(i).encoder(), b.get(i).encoder());
        }
        // training data comes from another generator: the first training batch is not a held-out batch
        ReverseTask.Examples train = ReverseTask.trainingExamples(new SplittableRandom(2), 8);
        assertTrue(train.letters() >= ReverseTask.MIN_LENGTH && train.letters() <= ReverseTask.MAX_LENGTH);
    }

    @Test
    void theTokenizerReadsCharactersAndEndsTheInputWithEos() {
        try (Tokenizer t = Tokenizer.fromJson(ReverseTask.tokenizerJson(), "reverse tokenizer.json")) {
            Tokenizer.Tokens tokens = t.encode("abcz");
            assertArrayEquals(new long[] {3, 4, 5, 28, ReverseTask.EOS}, tokens.ids());
            assertTrue(tokens.special()[4]);
            assertArrayEquals(new long[] {3, ReverseTask.UNK, 4, ReverseTask.EOS}, t.encode("a!b").ids());
            assertEquals("cba", t.decode(new long[] {5, 4, 3}));
            assertEquals("q", t.decode(ReverseTask.FIRST_LETTER + 16));
            assertEquals("</s>", t.decode(ReverseTask.EOS));
            assertEquals("<pad>", t.decode(ReverseTask.PAD));
            assertEquals(ReverseTask.VOCAB - 1, t.maxTokenId());
            ReverseTask.Examples e = ReverseTask.examples(new SplittableRandom(9), 1, 9);
            String letters = ReverseTask.text(java.util.Arrays.copyOf(e.encoder()[0], 9));
            assertArrayEquals(e.encoder()[0], t.encode(letters).ids(), "the tokenizer gives the encoder input");
        }
    }

    @Test
    void unknownIdsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReverseTask.token(ReverseTask.VOCAB));
        assertThrows(IllegalArgumentException.class, () -> ReverseTask.examples(new SplittableRandom(1), 1, 0));
    }
}
