package dev.attnstudio.engine.runtime;

import ai.djl.pytorch.jni.JniUtils;
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

    @Test
    void runsWorkOnOtherThreadsThenPutsBackWhatItFound() {
        int before = DjlRuntime.intraOpThreads();
        try {
            DjlRuntime.setIntraOpThreads(2);
            int inside = DjlRuntime.withIntraOpThreads(1, () -> {
                assertEquals(2, DjlRuntime.intraOpThreads(), "the configured count is still reported");
                return DjlRuntime.withIntraOpThreads(3, JniUtils::getNumThreads);
            });
            assertEquals(3, inside);
            assertEquals(2, JniUtils.getNumThreads());
            assertThrows(IllegalStateException.class, () -> DjlRuntime.withIntraOpThreads(1, () -> {
                throw new IllegalStateException("work failed");
            }));
            assertEquals(2, JniUtils.getNumThreads(), "restored after a failure too");
        } finally {
            DjlRuntime.setIntraOpThreads(before);
        }
    }
}
