package dev.attnstudio.app.watch;

import dev.attnstudio.engine.expr.Scope;
import dev.attnstudio.engine.step.TensorData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchesTest {

    private static final Scope SCOPE = Scope.of(Map.of(
            "scores", new TensorData("scores", new long[] {3}, new float[] {2, 1, 0}),
            "big", new TensorData("big", new long[] {4, 5}, new float[20])));

    @Test
    void aWatchShowsItsValue() {
        Watches.Result r = Watches.evaluate("softmax(scores)", SCOPE);
        assertFalse(r.error());
        assertEquals("[0.6652, 0.2447, 0.09]", r.text());
        assertEquals("3", Watches.evaluate("sum(scores)", SCOPE).text());
        Watches.Result big = Watches.evaluate("big + 1", SCOPE);
        assertTrue(big.text().startsWith("shape [4, 5]: 1.0000, 1.0000,"), big.text());
        assertTrue(big.text().endsWith("(20 values)"), big.text());
    }

    @Test
    void anErrorPointsAtItsPlace() {
        Watches.Result r = Watches.evaluate("softmax(scores +)", SCOPE);
        assertTrue(r.error());
        String[] lines = r.text().split("\n");
        assertEquals("softmax(scores +)", lines[0]);
        assertEquals(16, lines[1].indexOf('^'), r.text());
        assertTrue(Watches.evaluate("nope * 2", SCOPE).error());
        assertEquals(List.of(true), Watches.evaluate(List.of("scores"), null).stream().map(Watches.Result::error).toList());
    }
}
