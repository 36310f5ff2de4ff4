package dev.attnstudio.lessons.format;

import dev.attnstudio.engine.intervene.MaskBug;
import dev.attnstudio.lessons.probe.ProbeCatalogue;
import dev.attnstudio.lessons.probe.Variant;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The authors' README documents every action, view, exercise kind, variant and probe the code knows. */
class AuthorsReadmeTest {

    private static final String BEGIN = "<!-- probes:begin (generated from ProbeCatalogue.table(); a test keeps it in sync) -->\n";
    private static final String END = "<!-- probes:end -->";

    private static String readme() throws IOException {
        Path p = Path.of("README.md");
        return Files.readString(Files.exists(p) ? p : Path.of("lessons", "README.md"));
    }

    @Test
    void theProbeTableIsTheCatalogues() throws IOException {
        String text = readme();
        int from = text.indexOf(BEGIN);
        int to = text.indexOf(END);
        assertTrue(from >= 0 && to > from, "the README marks where the probe table goes");
        assertEquals(ProbeCatalogue.table(), text.substring(from + BEGIN.length(), to),
                "regenerate the table between the markers from ProbeCatalogue.table()");
    }

    @Test
    void everyActionViewKindVariantAndBugIsDocumented() throws IOException {
        String text = readme();
        for (String action : Action.NAMES) {
            assertTrue(text.contains("| `" + action + "` |"), action);
        }
        for (String view : ViewSelection.VIEWS) {
            assertTrue(text.contains("| `" + view + "` |"), view);
        }
        for (String kind : ExerciseKind.ids()) {
            assertTrue(text.contains("| `" + kind + "` |"), kind);
        }
        for (Variant v : Variant.values()) {
            assertTrue(text.contains("`" + v.id + "`"), v.id);
        }
        for (String bug : MaskBug.names()) {
            assertTrue(text.contains("`" + bug + "`"), bug);
        }
    }
}
