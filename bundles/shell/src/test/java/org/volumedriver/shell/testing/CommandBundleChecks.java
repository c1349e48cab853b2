package org.volumedriver.shell.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Completer;

/**
 * What Karaf's command extender relies on in a command bundle of the product: the header, the
 * annotations, the references, the import ranges. Each bundle's structure test calls these with its
 * own command package.
 */
public final class CommandBundleChecks {

    private CommandBundleChecks() {
    }

    /**
     * @param anchor any class of the bundle's Karaf-Commands package
     * @return the classes the extender finds: every class file directly in that package
     * @throws Exception if the compiled classes cannot be listed or loaded
     */
    public static List<Class<?>> scannedClasses(Class<?> anchor) throws Exception {
        Path dir = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(anchor.getPackageName().replace('.', '/'));
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = file.getFileName().toString().replace(".class", "");
                classes.add(Class.forName(anchor.getPackageName() + "." + name));
            }
        }
        return classes;
    }

    /**
     * Every command and completer is a Karaf {@code @Service}, every {@code @Service} is one of them,
     * and the harness registers exactly these.
     *
     * @param anchor any class of the Karaf-Commands package
     * @param harnessClasses the classes the bundle's tests register
     * @param scopes the scopes the bundle's commands may use
     * @return the commands found, as {@code scope:name}
     * @throws Exception if the classes cannot be listed
     */
    public static Set<String> everyCommandAndCompleterIsAKarafServiceAndCoveredByTheHarness(Class<?> anchor,
            Collection<Class<?>> harnessClasses, Set<String> scopes) throws Exception {
        Set<Class<?>> services = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Class<?> clazz : scannedClasses(anchor)) {
            Command command = clazz.getAnnotation(Command.class);
            if (command != null) {
                assertTrue(Action.class.isAssignableFrom(clazz), clazz.getName());
                assertNotNull(clazz.getAnnotation(Service.class), clazz + " needs Karaf's @Service");
                assertTrue(scopes.contains(command.scope()), clazz.getName());
                assertTrue(names.add(command.scope() + ":" + command.name()), "duplicate " + command.name());
                services.add(clazz);
            }
            if (Completer.class.isAssignableFrom(clazz) && !Modifier.isAbstract(clazz.getModifiers())) {
                assertNotNull(clazz.getAnnotation(Service.class), clazz + " needs Karaf's @Service");
                services.add(clazz);
            }
            if (clazz.getAnnotation(Service.class) != null) {
                assertTrue(services.contains(clazz), clazz + " is a @Service but neither command nor completer");
            }
        }
        assertEquals(Set.copyOf(harnessClasses), services);
        return names;
    }

    /**
     * A completer named in {@code @Completion} must be registered by the same bundle (in its
     * Karaf-Commands package, with {@code @Service}) or come with Karaf.
     *
     * @param anchor any class of the Karaf-Commands package
     * @throws Exception if the classes cannot be listed
     */
    public static void completersNamedByCommandsAreRegisteredByTheBundleOrKaraf(Class<?> anchor) throws Exception {
        for (Class<?> clazz : scannedClasses(anchor)) {
            for (Class<?> c = clazz; c != Object.class && c != null; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    Completion completion = field.getAnnotation(Completion.class);
                    if (completion == null) {
                        continue;
                    }
                    Class<?> completer = completion.value();
                    boolean ours = completer.getPackageName().equals(anchor.getPackageName())
                            && completer.getAnnotation(Service.class) != null;
                    boolean karafs = completer.getPackageName().equals("org.apache.karaf.shell.support.completers");
                    assertTrue(ours || karafs, clazz.getSimpleName() + "." + field.getName() + " uses " + completer);
                }
            }
        }
    }

    /**
     * One missing service must not keep every command of the bundle from registering.
     *
     * @param anchor any class of the Karaf-Commands package
     * @throws Exception if the classes cannot be listed
     */
    public static void everySingleServiceReferenceIsOptional(Class<?> anchor) throws Exception {
        for (Class<?> clazz : scannedClasses(anchor)) {
            for (Class<?> c = clazz; c != Object.class && c != null; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    Reference reference = field.getAnnotation(Reference.class);
                    if (reference != null && field.getType() != List.class) {
                        assertTrue(reference.optional(), c.getSimpleName() + "." + field.getName());
                    }
                }
            }
        }
    }

    /**
     * @return the main attributes of the manifest bnd wrote for the module under test
     * @throws IOException if it cannot be read
     */
    public static Attributes manifest() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("target/classes/META-INF/MANIFEST.MF"))) {
            return new Manifest(in).getMainAttributes();
        }
    }

    /**
     * The manifest names the bundle and its command package, and imports Karaf's API and support
     * packages only, each with the range {@code [4.4,5)}, none optional.
     *
     * @param main the manifest's main attributes
     * @param symbolicName the expected Bundle-SymbolicName
     * @param anchor any class of the Karaf-Commands package
     * @param minimumKarafImports how many Karaf packages the bundle imports at least
     */
    public static void namesTheCommandPackageAndImportsKaraf44(Attributes main, String symbolicName, Class<?> anchor,
            int minimumKarafImports) {
        assertEquals(symbolicName, main.getValue("Bundle-SymbolicName"));
        assertEquals(anchor.getPackageName(), main.getValue("Karaf-Commands"));
        String imports = main.getValue("Import-Package");
        Matcher karaf = Pattern.compile("(org\\.apache\\.karaf\\.shell[\\w.]*);version=\"([^\"]+)\"").matcher(imports);
        int count = 0;
        while (karaf.find()) {
            assertEquals("[4.4,5)", karaf.group(2), karaf.group(1));
            count++;
        }
        assertTrue(count >= minimumKarafImports, imports);
        assertFalse(imports.contains("org.apache.karaf.shell.impl"), "only Karaf's API and support packages");
        assertFalse(imports.contains("resolution:=optional"), imports);
    }
}
