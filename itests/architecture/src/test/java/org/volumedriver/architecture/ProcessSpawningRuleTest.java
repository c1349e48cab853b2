package org.volumedriver.architecture;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.volumedriver.architecture.fixture.ReadsProcessInfoOnly;
import org.volumedriver.architecture.fixture.SpawnsProcessDirectly;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

/** Only the executor bundle starts processes (requirement G1). */
class ProcessSpawningRuleTest {

    /** The rule: outside org.volumedriver.exec, nothing touches ProcessBuilder or calls Runtime.exec. */
    static final ArchRule ONLY_THE_EXECUTOR_STARTS_PROCESSES = noClasses()
            .that().resideInAPackage("org.volumedriver..")
            .and().resideOutsideOfPackage("org.volumedriver.exec..")
            .should().accessClassesThat().belongToAnyOf(ProcessBuilder.class)
            .orShould().callMethodWhere(target(name("exec"))
                    .and(target(owner(describe("java.lang.Runtime", (JavaClass c) -> c.isEquivalentTo(Runtime.class))))))
            .because("requirement G1: the executor bundle is the only code that starts processes");

    /** One class of each bundle, so an empty or partial import cannot pass silently. */
    static final List<String> ONE_CLASS_PER_BUNDLE = List.of(
            "org.volumedriver.spi.Redactor",
            "org.volumedriver.exec.internal.ProcessCommandExecutor");

    private static JavaClasses bundles;

    @BeforeAll
    static void importBundles() {
        // the bundles' jars on the test class path; this module's own test classes (the fixtures) excluded
        bundles = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.volumedriver");
    }

    @Test
    void noBundleOutsideTheExecutorStartsProcesses() {
        ONLY_THE_EXECUTOR_STARTS_PROCESSES.check(bundles);
    }

    @Test
    void everyBundleWasScanned() {
        Set<String> names = bundles.stream().map(JavaClass::getName).collect(Collectors.toSet());
        for (String name : ONE_CLASS_PER_BUNDLE) {
            assertTrue(names.contains(name), name + " was imported");
        }
        Set<String> packages = bundles.stream().map(JavaClass::getPackageName)
                .map(p -> p.split("\\.").length > 2 ? p.split("\\.")[2] : p).collect(Collectors.toSet());
        for (String bundle : List.of("spi", "exec", "libvirt", "quobyte", "shell")) {
            assertTrue(packages.contains(bundle), "classes of org.volumedriver." + bundle + " were imported: " + packages);
        }
        assertTrue(bundles.stream().noneMatch(c -> c.getPackageName().startsWith("org.volumedriver.architecture")),
                "the fixtures are not part of the scan");
    }

    @Test
    void theExecutorItselfDoesUseProcessBuilder() {
        // the rule is scoped, not vacuous: the same check over the executor reports it
        EvaluationResult result = noClasses().should().accessClassesThat().belongToAnyOf(ProcessBuilder.class)
                .evaluate(bundles.that(com.tngtech.archunit.core.domain.JavaClass.Predicates
                        .resideInAPackage("org.volumedriver.exec..")));
        assertTrue(result.hasViolation());
    }

    @Test
    void theRuleReportsProcessBuilderAndRuntimeExec() {
        JavaClasses fixture = new ClassFileImporter().importClasses(SpawnsProcessDirectly.class);
        EvaluationResult result = ONLY_THE_EXECUTOR_STARTS_PROCESSES.evaluate(fixture);
        assertTrue(result.hasViolation());
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertTrue(report.contains("ProcessBuilder.<init>"), report);
        assertTrue(report.contains("ProcessBuilder.start"), report);
        assertTrue(report.contains("Runtime.exec"), report);
    }

    @Test
    void harmlessProcessApiIsNotReported() {
        JavaClasses fixture = new ClassFileImporter().importClasses(ReadsProcessInfoOnly.class);
        EvaluationResult result = ONLY_THE_EXECUTOR_STARTS_PROCESSES.evaluate(fixture);
        assertFalse(result.hasViolation(), String.join("\n", result.getFailureReport().getDetails()));
        assertEquals(1, fixture.size());
    }
}
