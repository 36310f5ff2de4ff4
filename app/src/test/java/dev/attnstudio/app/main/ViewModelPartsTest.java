package dev.attnstudio.app.main;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of the main view model hold and hand out no controls or nodes: they are tested without a scene graph. */
class ViewModelPartsTest {

    private static final List<Class<?>> PARTS = List.of(MainViewModel.class, SessionViewModel.class, PromptViewModel.class,
            SteppingViewModel.class, BreakpointsViewModel.class, SelectionViewModel.class, PreferencesViewModel.class,
            EngineStatus.class, RecentModels.class, EnginePass.class, PassSnapshots.class, PromptTokenizer.class);

    @Test
    void noPartTouchesTheSceneGraph() {
        List<String> found = new ArrayList<>();
        for (Class<?> part : PARTS) {
            for (Field f : part.getDeclaredFields()) {
                check(part, f.getName(), f.getGenericType(), found);
            }
            for (Method m : part.getDeclaredMethods()) {
                check(part, m.getName(), m.getGenericReturnType(), found);
                for (Type p : m.getGenericParameterTypes()) {
                    check(part, m.getName(), p, found);
                }
            }
        }
        assertTrue(found.isEmpty(), "scene-graph types in view-model parts: " + found);
    }

    private static void check(Class<?> part, String member, Type type, List<String> found) {
        String name = type.getTypeName();
        if (name.contains("javafx.scene") || name.contains("javafx.stage") || name.contains("org.controlsfx")) {
            found.add(part.getSimpleName() + "." + member + ": " + name);
        }
    }
}
