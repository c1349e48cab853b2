package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.UnsupportedFormatException;

/** Configuration can only narrow what is known to be safe; a refused change keeps the old one. */
class ConfigurationTest {

    private static InvalidConfigurationException refused(Map<String, Object> overrides) {
        return assertThrows(InvalidConfigurationException.class, () -> DiskPolicy.from(TestConfigs.config(overrides)));
    }

    @Test
    void defaultsAreTheDocumentedAllowlists() throws Exception {
        DiskPolicy p = DiskPolicy.from(TestConfigs.defaults());
        assertEquals(Map.of("quobyte", List.of("file")), p.sourceTypes());
        assertEquals(List.of("raw", "qcow2"), p.formats());
        assertEquals(List.of("none", "writethrough", "writeback", "directsync", "unsafe", "default"), p.cacheModes());
        assertEquals(List.of("native", "threads"), p.ioModes());
        assertEquals(List.of("virtio", "scsi", "sata"), p.buses());
        assertEquals(List.of("unmap", "ignore"), p.discardModes());
        assertEquals("none", p.defaultCache());
    }

    @Test
    void dangerousOrUnknownValuesAreRefused() {
        assertEquals("formats", refused(Map.of("formats", new String[] {"raw", "vmdk"})).key());
        assertEquals("formats", refused(Map.of("formats", new String[] {"RAW"})).key());
        assertEquals("formats", refused(Map.of("formats", new String[] {})).key());
        assertEquals("source.types", refused(Map.of("source_types", new String[] {"quobyte=network"})).key());
        assertEquals("source.types", refused(Map.of("source_types", new String[] {"quobyte=file", "quobyte=block"})).key());
        assertEquals("source.types", refused(Map.of("source_types", new String[] {"file"})).key());
        assertEquals("cache.modes", refused(Map.of("cache_modes", new String[] {"none", "fast"})).key());
        assertEquals("default.cache", refused(Map.of("default_cache", "writeback", "cache_modes", new String[] {"none"})).key());
        assertEquals("io.modes", refused(Map.of("io_modes", new String[] {"native"})).key());
        assertEquals("buses", refused(Map.of("buses", new String[] {"xen"})).key());
        assertEquals("target.dev.pattern", refused(Map.of("target_dev_pattern", "(vd")).key());
        assertEquals("serial.pattern", refused(Map.of("serial_pattern", "")).key());
    }

    @Test
    void aPermissivePatternStillCannotLetQuotesThrough() throws Exception {
        DiskPolicy loose = TestConfigs.policy(Map.of("source_path_pattern", ".*", "serial_pattern", ".*"));
        DiskSpec hostile = DiskXmlRejectionTest.good().sourcePath("/a'b").build();
        assertEquals("disk.source.path", assertThrows(org.volumedriver.libvirt.InvalidDiskSpecException.class,
                () -> DiskXml.check(loose, "quobyte", hostile, w -> { })).field());
        DiskSpec hostileSerial = DiskXmlRejectionTest.good().serial("a<b").build();
        assertEquals("disk.serial", assertThrows(org.volumedriver.libvirt.InvalidDiskSpecException.class,
                () -> DiskXml.check(loose, "quobyte", hostileSerial, w -> { })).field());
    }

    @Test
    void aRefusedChangeKeepsThePreviousAllowlists() throws Exception {
        CurrentSettings settings = new CurrentSettings(TestConfigs.config(Map.of("formats", new String[] {"raw"})));
        DiskXmlServiceImpl service = new DiskXmlServiceImpl(settings);
        DiskPolicy before = service.policy();
        settings.modified(TestConfigs.config(Map.of("formats", new String[] {"raw", "vmdk"})));
        assertSame(before, service.policy());
        assertThrows(UnsupportedFormatException.class,
                () -> service.diskXml("quobyte", DiskXmlRejectionTest.good().format("qcow2").build()));
        // a valid change applies at once
        settings.modified(TestConfigs.config(Map.of("formats", new String[] {"raw", "qcow2"})));
        assertEquals(List.of("raw", "qcow2"), service.policy().formats());
        service.diskXml("quobyte", DiskXmlRejectionTest.good().format("qcow2").build());
    }

    @Test
    void aConfigurationIsAcceptedOrRefusedAsAWhole() throws Exception {
        CurrentSettings settings = new CurrentSettings(TestConfigs.defaults());
        DiskXmlServiceImpl service = new DiskXmlServiceImpl(settings);
        DiskPolicy before = service.policy();
        // valid allowlists but a bad URI: the allowlists do not change either
        settings.modified(TestConfigs.config(Map.of("formats", new String[] {"raw"}, "uri", "not a uri")));
        assertSame(before, service.policy());

        VolumeAttacherImpl attacher = new VolumeAttacherImpl(new VolumeDriversImpl(), settings);
        // a valid URI with a refused allowlist: the attacher keeps its previous URI
        settings.modified(TestConfigs.config(Map.of("uri", "test:///default", "formats", new String[] {"vmdk"})));
        assertEquals("qemu:///system", attacher.settings().uri());
        settings.modified(TestConfigs.config(Map.of("uri", "test:///default")));
        assertEquals("test:///default", attacher.settings().uri());
        // both components work from the one value in force
        assertSame(service.policy(), attacher.settings().disks());
        // the attacher cannot start without settings, and a refused configuration gives none
        assertThrows(InvalidConfigurationException.class, () -> new CurrentSettings(
                TestConfigs.config(Map.of("formats", new String[] {"vmdk"}))));
    }

    @Test
    void aRefusedConfigurationAtStartKeepsTheServiceFromStarting() {
        assertThrows(InvalidConfigurationException.class, () -> new CurrentSettings(TestConfigs.config(Map.of("formats", new String[] {"vmdk"}))));
    }

    @Test
    void attachSettingsAreChecked() throws Exception {
        assertEquals("qemu:///system", LibvirtSettings.from(TestConfigs.defaults()).uri());
        assertEquals("uri", assertThrows(InvalidConfigurationException.class,
                () -> LibvirtSettings.from(TestConfigs.config(Map.of("uri", "qemu:///system extra")))).key());
        assertEquals("uri", assertThrows(InvalidConfigurationException.class,
                () -> LibvirtSettings.from(TestConfigs.config(Map.of("uri", "")))).key());
        assertEquals("detach.wait.ms", assertThrows(InvalidConfigurationException.class,
                () -> LibvirtSettings.from(TestConfigs.config(Map.of("detach_wait_ms", -1L)))).key());
        assertEquals("detach.poll.ms", assertThrows(InvalidConfigurationException.class,
                () -> LibvirtSettings.from(TestConfigs.config(Map.of("detach_poll_ms", 0L)))).key());
    }

    @Test
    void reconcileSettingsHaveSafeDefaultsAndAreChecked() throws Exception {
        assertEquals(LibvirtSettings.ReconcilePolicy.DEFAULT, LibvirtSettings.from(TestConfigs.defaults()).reconcile());
        assertEquals(new LibvirtSettings.ReconcilePolicy(false, java.time.Duration.ofMinutes(15), true),
                LibvirtSettings.from(TestConfigs.config(Map.of("reconcile_at_start", false, "reconcile_interval_minutes", 15,
                        "reconcile_release_orphans", true))).reconcile());
        for (int bad : new int[] {-1, LibvirtSettings.MAX_INTERVAL_MINUTES + 1}) {
            assertEquals("reconcile.interval.minutes", assertThrows(InvalidConfigurationException.class,
                    () -> LibvirtSettings.from(TestConfigs.config(Map.of("reconcile_interval_minutes", bad)))).key());
        }
    }

    @Test
    void theBlockJobWaitIsBoundedAndChecked() throws Exception {
        assertEquals(LibvirtSettings.BlockJobPolicy.DEFAULT, LibvirtSettings.from(TestConfigs.defaults()).blockJobs());
        assertEquals(java.time.Duration.ofMinutes(10), LibvirtSettings.BlockJobPolicy.DEFAULT.bound());
        assertEquals(new LibvirtSettings.BlockJobPolicy(java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(20)),
                LibvirtSettings.from(TestConfigs.config(Map.of("block_job_wait_ms", 30_000L, "block_job_poll_ms", 20L))).blockJobs());
        for (long bad : new long[] {999, LibvirtSettings.MAX_BLOCK_JOB_WAIT_MS + 1, -1}) {
            assertEquals("block.job.wait.ms", assertThrows(InvalidConfigurationException.class,
                    () -> LibvirtSettings.from(TestConfigs.config(Map.of("block_job_wait_ms", bad)))).key());
        }
        for (long bad : new long[] {9, 60_001}) {
            assertEquals("block.job.poll.ms", assertThrows(InvalidConfigurationException.class,
                    () -> LibvirtSettings.from(TestConfigs.config(Map.of("block_job_poll_ms", bad)))).key());
        }
    }

    @Test
    void theShippedFilesStateTheReconcileDefaults() throws Exception {
        java.nio.file.Path sandbox = org.volumedriver.testsupport.ShippedConfig.repositoryRoot()
                .resolve("features/distribution/src/main/resources/sandbox/etc/org.volumedriver.libvirt.cfg");
        for (Map<String, Object> shipped : List.of(org.volumedriver.testsupport.ShippedConfig.read(LibvirtConfig.PID),
                org.volumedriver.testsupport.ShippedConfig.load(sandbox))) {
            for (String method : List.of("reconcile_at_start", "reconcile_interval_minutes", "reconcile_release_orphans")) {
                Object expected = LibvirtConfig.class.getMethod(method).getDefaultValue();
                assertEquals(String.valueOf(expected), shipped.get(method.replace('_', '.')), method);
            }
        }
    }

    @Test
    void listsMayBeCommaSeparatedStrings() throws Exception {
        // a .cfg file's "formats = raw, qcow2" arrives as one string, which DS makes a one-element array
        DiskPolicy fromString = TestConfigs.policy(Map.of(
                "source_types", new String[] {"quobyte=file, fake = file|block"},
                "formats", new String[] {"raw, qcow2"},
                "cache_modes", new String[] {" none,writeback ,"},
                "io_modes", new String[] {"threads"},
                "buses", new String[] {"virtio,scsi", "sata"},
                "discard_modes", new String[] {""},
                "default_cache", "writeback"));
        DiskPolicy fromArrays = TestConfigs.policy(Map.of(
                "source_types", new String[] {"quobyte=file", "fake=file|block"},
                "formats", new String[] {"raw", "qcow2"},
                "cache_modes", new String[] {"none", "writeback"},
                "io_modes", new String[] {"threads"},
                "buses", new String[] {"virtio", "scsi", "sata"},
                "discard_modes", new String[] {},
                "default_cache", "writeback"));
        assertEquals(Map.of("quobyte", List.of("file"), "fake", List.of("file", "block")), fromString.sourceTypes());
        assertEquals(List.of("raw", "qcow2"), fromString.formats());
        assertEquals(fromArrays.sourceTypes(), fromString.sourceTypes());
        assertEquals(fromArrays.formats(), fromString.formats());
        assertEquals(fromArrays.cacheModes(), fromString.cacheModes());
        assertEquals(fromArrays.ioModes(), fromString.ioModes());
        assertEquals(fromArrays.buses(), fromString.buses());
        assertEquals(List.of(), fromString.discardModes());

        // the same disks are accepted and refused
        CurrentSettings settings = new CurrentSettings(TestConfigs.config(Map.of("formats", new String[] {"raw, qcow2"})));
        DiskXmlServiceImpl service = new DiskXmlServiceImpl(settings);
        service.diskXml("quobyte", DiskXmlRejectionTest.good().format("qcow2").build());
        service.diskXml("quobyte", DiskXmlRejectionTest.good().format("raw").build());
        assertThrows(UnsupportedFormatException.class,
                () -> service.diskXml("quobyte", DiskXmlRejectionTest.good().format("vmdk").build()));
        // the attacher takes the same configuration too
        assertEquals(settings.get().disks(), new VolumeAttacherImpl(new VolumeDriversImpl(), settings).settings().disks());
    }

    @Test
    void aCommaSeparatedListIsCheckedLikeAnArray() {
        InvalidConfigurationException e = refused(Map.of("formats", new String[] {"raw, vmdk"}));
        assertEquals("formats", e.key());
        assertTrue(e.getMessage().contains("vmdk"), e.getMessage());
        assertEquals("formats", refused(Map.of("formats", new String[] {"raw, raw"})).key());
        assertEquals("formats", refused(Map.of("formats", new String[] {" , "})).key());
        assertEquals("formats", refused(Map.of("formats", new String[] {"raw qcow2"})).key());
        assertEquals("cache.modes", refused(Map.of("cache_modes", new String[] {"none, fast"})).key());
        assertEquals("io.modes", refused(Map.of("io_modes", new String[] {"native, "})).key());
        assertEquals("buses", refused(Map.of("buses", new String[] {"virtio, xen"})).key());
        assertEquals("discard.modes", refused(Map.of("discard_modes", new String[] {"unmap, trim"})).key());
        assertEquals("source.types", refused(Map.of("source_types", new String[] {"quobyte=file, fake=network"})).key());
        assertEquals("source.types", refused(Map.of("source_types", new String[] {"quobyte=file, quobyte=block"})).key());
    }
}
