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

    private static Path path() {
        Path p = Path.of("README.md");
        return Files.exists(p) ? p : Path.of("lessons", "README.md");
    }

    private static String readme() throws IOException {
        return Files.readString(path());
    }

    /** With {@code -Dlessons.readme.update=true} the table is rewritten from the catalogue instead of compared. */
    @Test
    void theProbeTableIsTheCatalogues() throws IOException {
        String text = readme();
        int from = text.indexOf(BEGIN);
        int to = text.indexOf(END);
        assertTrue(from >= 0 && to > from, "the README marks where the probe table goes");
        if (Boolean.getBoolean("lessons.readme.update")) {
            Files.writeString(path(), text.substring(0, from + BEGIN.length()) + ProbeCatalogue.table() + text.substring(to));
            return;
        }
        assertEquals(ProbeCatalogue.table(), text.substring(from + BEGIN.length(), to),
                "the README's probe table differs from the catalogue: rerun this test with -Dlessons.readme.update=true");
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
