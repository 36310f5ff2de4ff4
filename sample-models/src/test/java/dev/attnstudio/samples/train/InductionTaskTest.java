package dev.attnstudio.samples.train;

import dev.attnstudio.engine.tokenizer.Tokenizer;
import dev.attnstudio.engine.train.NextTokenBatch;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The data the induction samples are trained and measured on. */
class InductionTaskTest {

    @Test
    void aSequenceIsDistinctTokensThenTheSameAgain() {
        for (int half = InductionTask.MIN_HALF; half <= InductionTask.MAX_HALF; half++) {
            long[][] rows = InductionTask.sequences(new SplittableRandom(half), 50, half);
            for (long[] row : rows) {
                assertEquals(2 * half, row.length);
                Set<Long> seen = new HashSet<>();
                for (int t = 0; t < half; t++) {
                    assertTrue(row[t] >= 0 && row[t] < InductionTask.TOKENS);
                    assertTrue(seen.add(row[t]), "tokens of a half are all different");
                    assertEquals(row[t], row[t + half]);
                }
            }
        }
    }

    @Test
    void onlyPredictablePositionsAreScored() {
        NextTokenBatch b = InductionTask.scored(InductionTask.sequences(new SplittableRandom(1), 2, 8));
        for (float[] row : b.weights()) {
            for (int t = 0; t < 16; t++) {
                assertEquals(t >= 8 && t <= 14 ? 1f : 0f, row[t], "position " + t);
            }
        }
        // position t is scored on token t + 1, which the first half fixes from t = H on
        for (int t = 8; t <= 14; t++) {
            assertEquals(b.ids()[0][t - 8 + 1], b.targets()[0][t]);
        }
    }

    @Test
    void theHeldOutSetIsFixed() {
        List<long[][]> a = InductionTask.evalSet();
        List<long[][]> b = InductionTask.evalSet();
        assertEquals(InductionTask.MAX_HALF - InductionTask.MIN_HALF + 1, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i));
            assertEquals(InductionTask.EVAL_ROWS_PER_HALF, a.get(i).length);
        }
        assertArrayEquals(InductionTask.probe(), InductionTask.probe());
        assertEquals(24, InductionTask.probe().length);
    }

    @Test
    void theTokenizerReadsTokenNamesAndMapsEverythingElseToUnk() {
        try (Tokenizer t = Tokenizer.fromJson(InductionTask.tokenizerJson(), "induction tokenizer.json")) {
            assertArrayEquals(new long[] {3, 17, 5, 3, 17}, t.encode("a3 a17 a5 a3 a17").ids());
            assertArrayEquals(new long[] {0, 63, InductionTask.UNK, InductionTask.UNK}, t.encode("a0  a63 a64 hello").ids());
            assertEquals("a3 a17 a5", t.decode(new long[] {3, 17, 5}));
            assertEquals(InductionTask.UNK, t.maxTokenId());
            long[] probe = InductionTask.probe();
            assertArrayEquals(probe, t.encode(InductionTask.text(probe)).ids());
        }
    }
}
