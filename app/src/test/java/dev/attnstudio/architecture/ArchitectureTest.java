package dev.attnstudio.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.attnstudio.engine.config.ModelConfig;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The project's boundaries, checked on the compiled classes of every module: the engine and the lessons never touch
 * JavaFX; the app never touches DJL's arrays (it reads plain data); only the engine's config, load and model packages
 * know which family a model is (everything else asks the model's capabilities); and no two packages depend on each
 * other in a cycle.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // nor the engine's test classes, which this module's tests get as a packaged test jar (NetworkGuard)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.attnstudio");

    /** The packages allowed to know the model families. */
    private static final String[] FAMILY_PACKAGES = {"dev.attnstudio.engine.config..", "dev.attnstudio.engine.load..",
            "dev.attnstudio.engine.model.."};

    @Test
    void theEngineImportsNoJavaFx() {
        noClasses().that().resideInAPackage("dev.attnstudio.engine..")
                .should().dependOnClassesThat().resideInAPackage("javafx..")
                .check(CLASSES);
    }

    @Test
    void theLessonsImportNoJavaFx() {
        noClasses().that().resideInAPackage("dev.attnstudio.lessons..")
                .should().dependOnClassesThat().resideInAPackage("javafx..")
                .allowEmptyShould(true)
                .check(CLASSES);
    }

    @Test
    void theAppImportsNoNdArrays() {
        noClasses().that().resideInAnyPackage("dev.attnstudio.app..", "dev.attnstudio.cli..")
                .should().dependOnClassesThat().resideInAPackage("ai.djl.ndarray..")
                .check(CLASSES);
    }

    @Test
    void onlyTheEnginesModelPackagesSwitchOnTheFamily() {
        DescribedPredicate<JavaClass> family = DescribedPredicate.describe("a model family type",
                c -> c.isEquivalentTo(ModelConfig.Architecture.class) || c.isEquivalentTo(ModelConfig.T5.class)
                        || c.isEquivalentTo(ModelConfig.Llama.class) || c.isEquivalentTo(ModelConfig.Extra.class)
                        || (c.getPackageName().equals("dev.attnstudio.engine.model") && c.getSimpleName().matches(
                        "(Gpt2|Bert|Llama|T5)Model")));
        noClasses().that().resideInAnyPackage("dev.attnstudio.engine..", "dev.attnstudio.app..", "dev.attnstudio.cli..",
                        "dev.attnstudio.lessons..")
                .and().resideOutsideOfPackages(FAMILY_PACKAGES)
                .should().dependOnClassesThat(family)
                .orShould().callMethod(ModelConfig.class, "encoderDecoder")
                .orShould().callMethod(ModelConfig.class, "causal")
                .orShould().callMethod(ModelConfig.class, "generates")
                .orShould().callMethod(ModelConfig.class, "architecture")
                .orShould().callMethod(ModelConfig.class, "extra")
                .because("code outside config/, load/ and model/ asks the model's capabilities instead")
                .check(CLASSES);
    }

    @Test
    void noPackagesDependOnEachOtherInACycle() {
        slices().matching("dev.attnstudio.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void theFamilyPackagesExist() {
        // the rule above names packages by string: a rename must not make it vacuous
        for (String p : FAMILY_PACKAGES) {
            String name = p.substring(0, p.length() - 2);
            assertTrue(CLASSES.stream().anyMatch(resideInAnyPackage(p)::test), name);
        }
    }
}
