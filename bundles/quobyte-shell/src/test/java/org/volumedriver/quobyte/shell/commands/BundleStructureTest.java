package org.volumedriver.quobyte.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;

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
                HealCommand.class, QuobyteShell.CLASSES, Set.of("quobyte"));
        assertEquals(Set.of("quobyte:mounts", "quobyte:heal", "quobyte:systemd", "quobyte:config"), names);
    }

    @Test
    void completersNamedByCommandsAreRegisteredByThisBundleOrKaraf() throws Exception {
        CommandBundleChecks.completersNamedByCommandsAreRegisteredByTheBundleOrKaraf(HealCommand.class);
    }

    @Test
    void everySingleServiceReferenceIsOptional() throws Exception {
        CommandBundleChecks.everySingleServiceReferenceIsOptional(HealCommand.class);
    }

    @Test
    void theManifestNamesTheCommandPackageOnlyAndImportsKaraf44() throws Exception {
        Attributes main = CommandBundleChecks.manifest();
        CommandBundleChecks.namesTheCommandPackageAndImportsKaraf44(main, "org.volumedriver.quobyte.shell", HealCommand.class, 2);
        assertNull(main.getValue("Export-Package"), "the Quobyte shell exports nothing");
        String imports = main.getValue("Import-Package");
        assertTrue(imports.contains("org.volumedriver.shell.support;version=\"[1.0,2)\""), imports);
        // the heal's steps and the mounts' connections came with QuobyteAdmin 1.1
        assertTrue(imports.contains("org.volumedriver.quobyte;version=\"[1.1,2)\""), imports);
        // the one DS component: the Quobyte fields of volume:validate
        assertEquals("OSGI-INF/org.volumedriver.quobyte.shell.internal.QuobyteValidationView.xml",
                main.getValue("Service-Component"));
    }

    @Test
    void completersOfferWhatTheQuobyteDriverReports() throws Exception {
        FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
        quobyte.connect(ConnectionInfo.fromJson(QuobyteCommandsTest.JSON), new Attachment(QuobyteCommandsTest.NAME, "vm-7"));
        FakeVolumeDriver nfs = new FakeVolumeDriver("nfs");
        nfs.connect(ConnectionInfo.fromJson(QuobyteCommandsTest.JSON.replace("\"quobyte\",", "\"nfs\",").replace("10.0.0.1", "10.0.0.9")),
                new Attachment(QuobyteCommandsTest.NAME, "vm-8"));
        List<String> directories = new ArrayList<>();
        List<String> exports = new ArrayList<>();
        try (ShellHarness shell = QuobyteShell.with(quobyte, nfs)) {
            shell.instantiate(QuobyteMountDirectoryCompleter.class).complete(null, ShellHarness.completionLine(""), directories);
            shell.instantiate(QuobyteExportCompleter.class).complete(null, ShellHarness.completionLine(""), exports);
        }
        assertEquals(List.of(FakeVolumeDriver.directory(QuobyteCommandsTest.EXPORT)), directories.stream().map(String::strip).toList());
        assertEquals(List.of(QuobyteCommandsTest.EXPORT), exports.stream().map(String::strip).toList());
    }
}
