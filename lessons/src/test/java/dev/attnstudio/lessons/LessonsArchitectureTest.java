package dev.attnstudio.lessons;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.attnstudio.engine.config.ModelConfig;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The lessons module's own boundaries (the app's ArchitectureTest checks them for the whole project too): no JavaFX,
 * no switching on the model family, no cycles between its packages, and grading and probes know nothing of hosts.
 */
class LessonsArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.attnstudio.lessons");

    @Test
    void noJavaFx() {
        noClasses().should().dependOnClassesThat().resideInAPackage("javafx..").check(CLASSES);
    }

    @Test
    void noFamilySwitches() {
        noClasses().should().dependOnClassesThat().belongToAnyOf(ModelConfig.Architecture.class, ModelConfig.T5.class,
                        ModelConfig.Llama.class, ModelConfig.Extra.class)
                .orShould().callMethod(ModelConfig.class, "architecture")
                .orShould().callMethod(ModelConfig.class, "encoderDecoder")
                .orShould().callMethod(ModelConfig.class, "causal")
                .orShould().callMethod(ModelConfig.class, "generates")
                .orShould().callMethod(ModelConfig.class, "extra")
                .because("the lessons ask a model's capabilities, as the rest of the project does")
                .check(CLASSES);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.attnstudio.lessons.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void probesAndGradingDoNotKnowTheRunner() {
        noClasses().that().resideInAnyPackage("dev.attnstudio.lessons.probe..", "dev.attnstudio.lessons.grade..",
                        "dev.attnstudio.lessons.format..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.attnstudio.lessons.run..",
                        "dev.attnstudio.lessons.check..", "dev.attnstudio.lessons.progress..")
                .check(CLASSES);
    }
}
