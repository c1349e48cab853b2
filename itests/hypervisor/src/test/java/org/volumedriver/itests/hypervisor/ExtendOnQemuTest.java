package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.ExtendResult;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Online extend on a running QEMU guest, as Nova's extend_volume: the storage side grows the
 * volume's active file on the share, then the guest is told, and {@code virsh domblkinfo} shows the
 * new capacity. A raw file and a qcow2 active file (after a snapshot); a shrink, a size the file
 * does not hold and a size that is not positive are refused with nothing changed.
 */
class ExtendOnQemuTest extends QemuGuestFixture {

    static final String EXPORT = "registry.example.org:7861/extend-volume";
    static final long MIB = 1L << 20;

    ExtendOnQemuTest() {
        super(EXPORT);
    }

    @Test
    void aRawVolumeGrownOnTheShareGrowsInTheGuestAndNeverShrinks() throws Exception {
        attachNewVolume(4 * MIB, AttachMode.LIVE);
        assertEquals(4 * MIB, QemuHost.virshCapacity(dom, "vdb"));

        // the storage side grows the file
        try (RandomAccessFile file = new RandomAccessFile(host.file(volume).toFile(), "rw")) {
            file.setLength(8 * MIB);
        }
        refusedWithNothingChanged(() -> host.volumes.extend(dom.getName(), info, 16 * MIB));
        ExtendResult grown = host.volumes.extend(dom.getName(), info, 8 * MIB);
        assertEquals("vdb", grown.targetDev());
        assertEquals(4 * MIB, grown.oldSizeBytes());
        assertEquals(8 * MIB, grown.newSizeBytes());
        assertEquals(8 * MIB, QemuHost.virshCapacity(dom, "vdb"), "virsh domblkinfo: QEMU has the new size");
        assertEquals(8 * MIB, dom.blockInfo("vdb").getCapacity());

        refusedWithNothingChanged(() -> host.volumes.extend(dom.getName(), info, 4 * MIB));
        refusedWithNothingChanged(() -> host.volumes.extend(dom.getName(), info, 8 * MIB - 512));
        refusedWithNothingChanged(() -> host.volumes.extend(dom.getName(), info, 0));
        refusedWithNothingChanged(() -> host.volumes.extend(dom.getName(), info, -1));
        assertEquals(8 * MIB, QemuHost.virshCapacity(dom, "vdb"));

        ExtendResult same = host.volumes.extend(dom.getName(), info, 8 * MIB);
        assertEquals(8 * MIB, same.oldSizeBytes());
        assertEquals(8 * MIB, same.newSizeBytes());
    }

    /**
     * After a snapshot the guest writes to a qcow2 file: its virtual size is what counts. QEMU
     * holds the file's write lock, so the storage side stands in for its resize with the lock off
     * ({@code qemu-img resize} through {@code file.locking=off}), changing only the header's size.
     */
    @Test
    void aQcow2ActiveFileGrowsByItsVirtualSize() throws Exception {
        attachNewVolume(4 * MIB, AttachMode.LIVE);
        String active = snapshotOnto(volume, "raw");
        assertEquals(4 * MIB, QemuHost.virshCapacity(dom, "vdb"));

        refusedWithNothingChanged(() -> host.volumes.extend(dom.getName(), info, 8 * MIB));
        QemuHost.run(List.of("/usr/bin/qemu-img", "resize", "-q", "--image-opts",
                "driver=qcow2,file.driver=file,file.locking=off,file.filename=" + host.file(active), "12M"));
        ExtendResult grown = host.volumes.extend(dom.getName(), info, 12 * MIB);
        assertEquals(4 * MIB, grown.oldSizeBytes());
        assertEquals(12 * MIB, grown.newSizeBytes());
        assertEquals(12 * MIB, QemuHost.virshCapacity(dom, "vdb"));
        assertTrue(QemuHost.run(List.of("/usr/bin/qemu-img", "info", "-U", host.file(active).toString())).contains("(12582912 bytes)"));

        refusedWithNothingChanged(() -> host.volumes.extend(dom.getName(), info, 4 * MIB));
        assertEquals(12 * MIB, QemuHost.virshCapacity(dom, "vdb"));
    }

    /** The call fails with INVALID_SIZE in one line; capacity, live definition and files are as before. */
    private void refusedWithNothingChanged(Executable call) throws Exception {
        long capacity = QemuHost.virshCapacity(dom, "vdb");
        String xml = QemuHost.liveXml(dom);
        Map<String, String> hashes = host.hashes();
        VolumeDriverException e = assertThrows(VolumeDriverException.class, call);
        assertEquals("INVALID_SIZE", e.code(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        System.out.println("[refused] " + e.code() + ": " + e.getMessage());
        assertEquals(capacity, QemuHost.virshCapacity(dom, "vdb"));
        assertEquals(xml, QemuHost.liveXml(dom));
        assertEquals(hashes, host.hashes());
    }
}
