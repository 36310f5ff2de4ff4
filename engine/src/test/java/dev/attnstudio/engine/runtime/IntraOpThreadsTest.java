package dev.attnstudio.engine.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The engine reports PyTorch's intra-op threads and sets them, for the app and the benchmark. */
class IntraOpThreadsTest {

    @Test
    void setsAndReportsTheIntraOpThreads() {
        int before = DjlRuntime.intraOpThreads();
        try {
            int other = before == 1 ? 2 : 1;
            DjlRuntime.setIntraOpThreads(other);
            assertEquals(other, DjlRuntime.intraOpThreads());
        } finally {
            DjlRuntime.setIntraOpThreads(before);
        }
        assertEquals(before, DjlRuntime.intraOpThreads());
        assertThrows(IllegalArgumentException.class, () -> DjlRuntime.setIntraOpThreads(0));
    }
}
