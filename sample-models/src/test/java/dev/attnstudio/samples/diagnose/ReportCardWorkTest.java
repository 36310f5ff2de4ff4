package dev.attnstudio.samples.diagnose;

import dev.attnstudio.engine.diagnose.heads.ReportCards;
import dev.attnstudio.engine.load.LoadedModel;
import dev.attnstudio.engine.runtime.DjlRuntime;
import dev.attnstudio.engine.step.Batch;
import dev.attnstudio.samples.SampleModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The report card tells its Work before each unit (pass, probe, each head's ablation, gradient) and stops when asked. */
class ReportCardWorkTest {

    @Test
    void theCardReportsEachUnitOfWorkAndStopsWhenTheWorkThrows() {
        try (LoadedModel m = SampleModels.open("induction-2l", DjlRuntime.DeviceChoice.CPU)) {
            List<Batch> prompts = List.of(Batch.of(new long[] {3, 9, 14, 22, 3, 9, 14, 22}));
            List<String> steps = new ArrayList<>();
            ReportCards.of(m.model(), prompts, ReportCards.Options.DEFAULT.withWork((phase, done, total) ->
                    steps.add(phase + " " + done + "/" + total)));
            // the gradient pass comes first: its forward also gives the base loss the ablations are measured against
            List<String> expected = new ArrayList<>(List.of("running the prompts 0/1", "induction probe 0/1",
                    "gradient importance 0/1"));
            for (int h = 0; h < 8; h++) {
                expected.add("ablating heads " + h + "/8");
            }
            assertEquals(expected, steps);

            List<String> seen = new ArrayList<>();
            assertThrows(CancellationException.class, () -> ReportCards.of(m.model(), prompts,
                    ReportCards.Options.DEFAULT.withWork((phase, done, total) -> {
                        seen.add(phase);
                        if (phase.equals("ablating heads") && done == 2) {
                            throw new CancellationException("stopped");
                        }
                    })));
            assertEquals(6, seen.size(), "stopped at the third ablation (after the prompts, the probe and the gradient pass): " + seen);
        }
    }
}
