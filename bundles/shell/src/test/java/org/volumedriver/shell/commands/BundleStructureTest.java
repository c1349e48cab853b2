package org.volumedriver.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.junit.jupiter.api.Test;
import org.volumedriver.shell.internal.FakeDriver;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;

/** What Karaf's command extender relies on: the header, the annotations, the import ranges. */
class BundleStructureTest {

    static List<Class<?>> scannedClasses() throws Exception {
        // the classes the extender finds: every class file directly in the Karaf-Commands package
        Path dir = Path.of(ShellAction.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(ShellAction.class.getPackageName().replace('.', '/'));
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = file.getFileName().toString().replace(".class", "");
                classes.add(Class.forName(ShellAction.class.getPackageName() + "." + name));
            }
        }
        return classes;
    }

    @Test
    void everyCommandAndCompleterIsAKarafServiceAndCoveredByTheHarness() throws Exception {
        Set<Class<?>> services = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Class<?> clazz : scannedClasses()) {
            Command command = clazz.getAnnotation(Command.class);
            if (command != null) {
                assertTrue(Action.class.isAssignableFrom(clazz), clazz.getName());
                assertNotNull(clazz.getAnnotation(Service.class), clazz + " needs Karaf's @Service");
                assertTrue(Set.of("volume", "quobyte").contains(command.scope()), clazz.getName());
                assertTrue(names.add(command.scope() + ":" + command.name()), "duplicate " + command.name());
                services.add(clazz);
            }
            if (Completer.class.isAssignableFrom(clazz) && !java.lang.reflect.Modifier.isAbstract(clazz.getModifiers())) {
                assertNotNull(clazz.getAnnotation(Service.class), clazz + " needs Karaf's @Service");
                services.add(clazz);
            }
            if (clazz.getAnnotation(Service.class) != null) {
                assertTrue(services.contains(clazz), clazz + " is a @Service but neither command nor completer");
            }
        }
        assertEquals(Set.copyOf(ShellHarness.CLASSES), services);
        assertTrue(names.containsAll(Set.of("volume:drivers", "volume:connect", "volume:disconnect", "volume:disk-xml",
                "volume:attach", "volume:detach", "volume:attachments", "volume:mounts", "quobyte:mounts", "volume:validate",
                "quobyte:heal", "quobyte:systemd", "volume:executor", "volume:counters")), names.toString());
    }

    @Test
    void completersNamedByCommandsAreRegisteredByThisBundleOrKaraf() throws Exception {
        for (Class<?> clazz : scannedClasses()) {
            for (Class<?> c = clazz; c != Object.class && c != null; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    Completion completion = field.getAnnotation(Completion.class);
                    if (completion == null) {
                        continue;
                    }
                    Class<?> completer = completion.value();
                    boolean ours = completer.getPackageName().equals(ShellAction.class.getPackageName())
                            && completer.getAnnotation(Service.class) != null;
                    boolean karafs = completer.getPackageName().equals("org.apache.karaf.shell.support.completers");
                    assertTrue(ours || karafs, clazz.getSimpleName() + "." + field.getName() + " uses " + completer);
                }
            }
        }
    }

    @Test
    void everySingleServiceReferenceIsOptional() throws Exception {
        // one missing service must not keep every command of the bundle from registering
        for (Class<?> clazz : scannedClasses()) {
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

    @Test
    void theManifestNamesTheCommandPackageOnlyAndImportsKaraf44() throws Exception {
        Manifest manifest;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        var main = manifest.getMainAttributes();
        assertEquals("org.volumedriver.shell", main.getValue("Bundle-SymbolicName"));
        assertEquals(ShellAction.class.getPackageName(), main.getValue("Karaf-Commands"));
        assertNull(main.getValue("Export-Package"), "the shell exports nothing");
        String imports = main.getValue("Import-Package");
        Matcher karaf = Pattern.compile("(org\\.apache\\.karaf\\.shell[\\w.]*);version=\"([^\"]+)\"").matcher(imports);
        int count = 0;
        while (karaf.find()) {
            assertEquals("[4.4,5)", karaf.group(2), karaf.group(1));
            count++;
        }
        assertTrue(count >= 4, imports);
        assertFalse(imports.contains("org.apache.karaf.shell.impl"), "only Karaf's API and support packages");
        assertFalse(imports.contains("resolution:=optional"), imports);
    }

    @Test
    void completersOfferWhatTheDriversReport() throws Exception {
        FakeDriver quobyte = new FakeDriver("quobyte");
        quobyte.connect(ConnectionInfo.fromJson(CommandsTest.JSON), new Attachment(CommandsTest.NAME, "vm-7"));
        InstanceCompleter instances = new InstanceCompleter();
        instances.driverServices = List.of(quobyte);
        List<String> candidates = new ArrayList<>();
        instances.complete(null, line("vm"), candidates);
        assertEquals(1, candidates.size(), candidates.toString());
        assertTrue(candidates.get(0).startsWith("vm-7"), candidates.toString());

        MountDirectoryCompleter directories = new MountDirectoryCompleter();
        directories.driverServices = List.of(quobyte);
        candidates.clear();
        directories.complete(null, line(""), candidates);
        assertEquals(List.of(FakeDriver.directory(CommandsTest.EXPORT)), candidates.stream().map(String::strip).toList());

        DriverTypeCompleter types = new DriverTypeCompleter();
        types.driverServices = List.of(quobyte, new FakeDriver("nfs"));
        candidates.clear();
        types.complete(null, line("q"), candidates);
        assertEquals(List.of("quobyte"), candidates.stream().map(String::strip).toList());
    }

    private static CommandLine line(String word) {
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return 1;
            }

            @Override
            public String getCursorArgument() {
                return word;
            }

            @Override
            public int getArgumentPosition() {
                return word.length();
            }

            @Override
            public String[] getArguments() {
                return new String[] { "x", word };
            }

            @Override
            public int getBufferPosition() {
                return 2 + word.length();
            }

            @Override
            public String getBuffer() {
                return "x " + word;
            }
        };
    }
}
