package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.UnsupportedFormatException;

/** Every value outside an allowlist is refused with a typed error naming the field. */
class DiskXmlRejectionTest {

    private final DiskPolicy policy = TestConfigs.defaultPolicy();

    static DiskSpec.Builder good() {
        return DiskSpec.builder().sourceType("file").sourcePath(Combinations.SOURCE).format("raw").target("vdb", "virtio");
    }

    private InvalidConnectionInfoException refused(UnaryOperator<DiskSpec.Builder> change) {
        return assertThrows(InvalidConnectionInfoException.class,
                () -> DiskXml.check(policy, "quobyte", change.apply(good()).build(), w -> { }));
    }

    @Test
    void theGoodSpecPasses() throws Exception {
        DiskSpec effective = DiskXml.check(policy, "quobyte", good().build(), w -> { });
        assertEquals("none", effective.cache().orElseThrow());
        assertEquals("native", effective.io().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vmdk", "QCOW2", "qcow2 ", "raw\n", " raw", "Raw", "qcow", "vhdx", "vpc", "qed", "iso", "host_device", ""})
    void formatsOutsideTheAllowlistAreRefused(String format) {
        InvalidConnectionInfoException e = refused(b -> b.format(format));
        assertTrue(e instanceof UnsupportedFormatException, e.getClass().getName());
        assertEquals("disk.format", e.field());
        assertEquals("UNSUPPORTED_FORMAT", e.code());
        assertTrue(e.getMessage().contains("[raw, qcow2]"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"NONE", "none ", "writeback\n", "bogus", ""})
    void unknownCacheModesAreRefused(String cache) {
        InvalidConnectionInfoException e = refused(b -> b.cache(cache));
        assertEquals("disk.cache", e.field());
        assertEquals(List.of("none", "writethrough", "writeback", "directsync", "unsafe", "default"),
                ((InvalidDiskSpecException) e).allowed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "Native", "threads ", "default", ""})
    void unknownIoModesAreRefused(String io) {
        InvalidConnectionInfoException e = refused(b -> b.io(io));
        assertEquals("disk.io", e.field());
        assertTrue(e.getMessage().contains("[native, threads]"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "network", "volume", "dir", "nvme", "vhostuser", "FILE", ""})
    void quobyteDisksAreFileDisksOnly(String sourceType) {
        InvalidConnectionInfoException e = refused(b -> b.sourceType(sourceType));
        assertEquals("disk.source.type", e.field());
        assertEquals(List.of("file"), ((InvalidDiskSpecException) e).allowed());
    }

    @Test
    void aDriverTypeWithoutConfiguredSourceTypesGetsNone() {
        InvalidDiskSpecException e = assertThrows(InvalidDiskSpecException.class,
                () -> DiskXml.check(policy, "nfs", good().build(), w -> { }));
        assertEquals("disk.source.type", e.field());
        assertEquals(List.of(), e.allowed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative/path", "/a//b", "/a/./b", "/a/../etc/shadow", "/a/b/", "/", "/a/b/..",
            "/a b", "/a\nb", "/a\u0000b", "/a'b", "/a\"b", "/a<b", "/a&b", "/caf\u00e9", "x'/><disk type='block'"})
    void sourcePathsMustBeAbsoluteNormalizedAndPlain(String path) {
        assertEquals("disk.source.path", refused(b -> b.sourcePath(path)).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hda", "vd", "vdaaa", "xvda", "VDB", "vdb ", "vd1", "sda\n", "../vdb"})
    void targetDevicesFollowThePattern(String dev) {
        assertEquals("disk.target.dev", refused(b -> b.target(dev, "virtio")).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ide", "usb", "xen", "fdc", "VIRTIO", "virtio ", ""})
    void busesOutsideTheAllowlistAreRefused(String bus) {
        assertEquals("disk.target.bus", refused(b -> b.target("vdb", bus)).field());
    }

    @Test
    void targetIsRequired() {
        DiskSpec noTarget = DiskSpec.builder().sourceType("file").sourcePath(Combinations.SOURCE).format("raw").build();
        InvalidDiskSpecException e = assertThrows(InvalidDiskSpecException.class, () -> DiskXml.check(policy, "quobyte", noTarget, w -> { }));
        assertEquals("disk.target.dev", e.field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "x<y", "0123456789012345678901234567890123456", "s\u0000", "s&amp;"})
    void serialsFollowThePattern(String serial) {
        assertEquals("disk.serial", refused(b -> b.serial(serial)).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"on", "UNMAP", "discard", ""})
    void discardModesOutsideTheAllowlistAreRefused(String discard) {
        assertEquals("disk.discard", refused(b -> b.discard(discard)).field());
    }

    @Test
    void nativeIoIsOnlyKeptWithDirectCaches() throws Exception {
        for (String cache : List.of("writethrough", "writeback", "unsafe", "default")) {
            List<String> warnings = new ArrayList<>();
            DiskSpec effective = DiskXml.check(policy, "quobyte", good().cache(cache).io("native").build(), warnings::add);
            assertEquals("threads", effective.io().orElseThrow(), cache);
            assertEquals(1, warnings.size(), cache);
        }
        for (String cache : List.of("none", "directsync")) {
            List<String> warnings = new ArrayList<>();
            DiskSpec effective = DiskXml.check(policy, "quobyte", good().cache(cache).io("native").build(), warnings::add);
            assertEquals("native", effective.io().orElseThrow(), cache);
            assertEquals(List.of(), warnings);
        }
        // without an explicit io the safe choice is made silently
        assertEquals("threads", DiskXml.check(policy, "quobyte", good().cache("writeback").build(), w -> { }).io().orElseThrow());
    }

    @Test
    void aNarrowerConfigurationNarrows() {
        DiskPolicy rawOnly = TestConfigs.policy(Map.of("formats", new String[] {"raw"}, "buses", new String[] {"virtio"}));
        UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
                () -> DiskXml.check(rawOnly, "quobyte", good().format("qcow2").build(), w -> { }));
        assertTrue(e.getMessage().contains("[raw]"), e.getMessage());
        assertThrows(InvalidDiskSpecException.class,
                () -> DiskXml.check(rawOnly, "quobyte", good().target("sdb", "scsi").build(), w -> { }));
    }
}
