package org.volumedriver.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.volumedriver.shell.testing.CommandBundleChecks;
import org.volumedriver.shell.testing.ShellHarness;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.testsupport.FakeVolumeDriver;

/** What Karaf's command extender relies on: the header, the annotations, the import ranges. */
class BundleStructureTest {

    @Test
    void everyCommandAndCompleterIsAKarafServiceAndCoveredByTheHarness() throws Exception {
        Set<String> names = CommandBundleChecks.everyCommandAndCompleterIsAKarafServiceAndCoveredByTheHarness(
                DriversCommand.class, VolumeShell.CLASSES, Set.of("volume"));
        assertTrue(names.containsAll(Set.of("volume:drivers", "volume:connect", "volume:disconnect", "volume:disk-xml",
                "volume:attach", "volume:detach", "volume:attachments", "volume:mounts", "volume:validate",
                "volume:executor", "volume:counters", "volume:snapshot-create", "volume:snapshot-delete", "volume:extend",
                "volume:chain")), names.toString());
    }

    @Test
    void completersNamedByCommandsAreRegisteredByThisBundleOrKaraf() throws Exception {
        CommandBundleChecks.completersNamedByCommandsAreRegisteredByTheBundleOrKaraf(DriversCommand.class);
    }

    @Test
    void everySingleServiceReferenceIsOptional() throws Exception {
        CommandBundleChecks.everySingleServiceReferenceIsOptional(DriversCommand.class);
    }

    @Test
    void theManifestNamesTheCommandPackageOnlyAndImportsKaraf44() throws Exception {
        Attributes main = CommandBundleChecks.manifest();
        CommandBundleChecks.namesTheCommandPackageAndImportsKaraf44(main, "org.volumedriver.shell", DriversCommand.class, 4);
        // the one exported package is the support the driver shells build on; commands and internals stay private
        String exports = main.getValue("Export-Package");
        Matcher clause = Pattern.compile("(?:^|,)([\\w.]+);").matcher(exports.replaceAll("\"[^\"]*\"", "\"\""));
        List<String> packages = new ArrayList<>();
        while (clause.find()) {
            packages.add(clause.group(1));
        }
        assertEquals(List.of("org.volumedriver.shell.support"), packages, exports);
        assertTrue(exports.contains("version=\"1.0.0\""), exports);
        assertFalse(exports.contains(".internal") || exports.contains(".commands"), exports);
    }

    @Test
    void completersOfferWhatTheDriversReport() throws Exception {
        FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
        quobyte.connect(ConnectionInfo.fromJson(CommandsTest.JSON), new Attachment(CommandsTest.NAME, "vm-7"));
        List<String> candidates = new ArrayList<>();
        try (ShellHarness shell = VolumeShell.with(quobyte)) {
            InstanceCompleter instances = shell.instantiate(InstanceCompleter.class);
            instances.complete(null, ShellHarness.completionLine("vm"), candidates);
        }
        assertEquals(1, candidates.size(), candidates.toString());
        assertTrue(candidates.get(0).startsWith("vm-7"), candidates.toString());

        try (ShellHarness shell = VolumeShell.with(quobyte, new FakeVolumeDriver("nfs"))) {
            DriverTypeCompleter types = shell.instantiate(DriverTypeCompleter.class);
            candidates.clear();
            types.complete(null, ShellHarness.completionLine("q"), candidates);
        }
        assertEquals(List.of("quobyte"), candidates.stream().map(String::strip).toList());
    }

    @Test
    void withoutTheDriverRegistryCompletionOffersNothing() throws Exception {
        FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
        quobyte.connect(ConnectionInfo.fromJson(CommandsTest.JSON), new Attachment(CommandsTest.NAME, "vm-7"));
        List<String> candidates = new ArrayList<>();
        try (ShellHarness shell = ShellHarness.withoutDriverRegistry(VolumeShell.CLASSES, quobyte)) {
            shell.instantiate(InstanceCompleter.class).complete(null, ShellHarness.completionLine("vm"), candidates);
        }
        assertEquals(List.of(), candidates);
    }
}
