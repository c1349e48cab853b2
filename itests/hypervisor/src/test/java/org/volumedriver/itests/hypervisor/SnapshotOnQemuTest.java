package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.libvirt.MergeKind;
import org.volumedriver.libvirt.MergeResult;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;

/**
 * Assisted snapshots on a running QEMU guest whose volume lives on the stand-in's Quobyte mount:
 * the storage side makes each new qcow2 file with {@code qemu-img} on the mount, the libvirt
 * bundle switches the guest to it, and merges files out of the chain by Nova's rule. What libvirt
 * and the product report is compared with what QEMU holds open, {@code virsh}, the live definition
 * and {@code qemu-img info --backing-chain}.
 */
class SnapshotOnQemuTest extends QemuGuestFixture {

    static final String EXPORT = "registry.example.org:7861/snapshot-volume";
    static final long SIZE = 4L << 20;

    SnapshotOnQemuTest() {
        super(EXPORT);
    }

    @Test
    void twoSnapshotsInARowMakeAChainOfThreeAndQemuWritesToTheNewest() throws Exception {
        attachNewVolume(SIZE, AttachMode.LIVE);
        String serial = QemuHost.serial(volume);

        String first = overlayOn(volume, "raw");
        SnapshotResult created = snapshot(first);

        assertEquals("vdb", created.targetDev());
        assertEquals(id(first), created.snapshotId());
        assertFalse(created.quiesced(), "the guest has no agent: crash-consistent");
        assertEquals(List.of(link(first, "qcow2"), link(volume, "raw")), created.chain().links());
        assertEquals(List.of(entry(first, "qcow2"), entry(volume, "raw")), QemuHost.chainInXml(QemuHost.liveXml(dom), serial),
                "the live definition: the new file is the source, the old one its backing store");
        assertEquals(host.file(first).toString(), QemuHost.virshSource(dom, "vdb"));
        assertTrue(QemuHost.qemuHasOpen(dom, host.file(first)), "QEMU holds the new file open");
        assertEquals(Set.of(new Attachment(first, dom.getName())), host.quobyte.mounts().get(0).attachments(),
                "the driver's record followed the guest to the new file");

        String second = overlayOn(first, "qcow2");
        SnapshotResult again = snapshot(second);

        List<ChainLink> three = List.of(link(second, "qcow2"), link(first, "qcow2"), link(volume, "raw"));
        assertEquals(three, again.chain().links());
        assertEquals(three, host.volumes.chain(dom.getName(), info).links());
        List<String> expected = List.of(entry(second, "qcow2"), entry(first, "qcow2"), entry(volume, "raw"));
        assertEquals(expected, QemuHost.chainInXml(QemuHost.liveXml(dom), serial));
        assertEquals(expected, host.chainOnDisk(second));
        assertEquals(host.file(second).toString(), QemuHost.virshSource(dom, "vdb"));
        assertTrue(QemuHost.qemuHasOpen(dom, host.file(second)));

        // the guest's writes land in the newest file only
        Map<String, String> before = host.hashes();
        QemuHost.qemuIo(dom, "vdb", "write -P 0x5a 0 64k");
        QemuHost.qemuIo(dom, "vdb", "flush");
        Map<String, String> after = host.hashes();
        assertEquals(before.get(volume), after.get(volume));
        assertEquals(before.get(first), after.get(first));
        assertFalse(before.get(second).equals(after.get(second)), "the active file changed");
        assertTrue(host.reads(second, 0x5a, 0, 65536));
    }

    /**
     * Nova's rule on a chain of four, base ← s1 ← s2 ← s3 (active), each layer with its own
     * pattern: a commit of s2 into the middle file s1 leaves base ← s1 ← s3; then a rebase of the
     * active image onto base pulls s1 into s3 and leaves base ← s3. The guest reads every pattern
     * throughout, and the merged-away files stay on the share.
     */
    @Test
    void aCommitIntoAMiddleFileAndARebaseIntoTheActiveImageLeaveTheChainNovasRulePredicts() throws Exception {
        attachNewVolume(SIZE, AttachMode.LIVE);
        String serial = QemuHost.serial(volume);
        QemuHost.qemuIo(dom, "vdb", "write -P 0xa1 0 64k");
        List<String> layers = new ArrayList<>(List.of(volume));
        int pattern = 0xb2;
        for (int i = 0; i < 3; i++) {
            String next = snapshotOnto(layers.get(layers.size() - 1), i == 0 ? "raw" : "qcow2");
            QemuHost.qemuIo(dom, "vdb", "write -P 0x" + Integer.toHexString(pattern) + " " + (65536L * (i + 1)) + " 64k");
            pattern += 0x11;
            layers.add(next);
        }
        QemuHost.qemuIo(dom, "vdb", "flush");
        String s1 = layers.get(1);
        String s2 = layers.get(2);
        String s3 = layers.get(3);
        assertEquals(List.of(entry(s3, "qcow2"), entry(s2, "qcow2"), entry(s1, "qcow2"), entry(volume, "raw")), host.chainOnDisk(s3));

        List<long[]> progress = new ArrayList<>();
        MergeResult commit = host.volumes.snapshotDelete(dom.getName(), info, s2, s1, (current, end) -> progress.add(new long[] { current, end }));
        assertEquals(MergeKind.COMMIT, commit.kind());
        assertEquals(host.file(s2).toString(), commit.mergedAway());
        List<String> afterCommit = List.of(entry(s3, "qcow2"), entry(s1, "qcow2"), entry(volume, "raw"));
        assertEquals(afterCommit, host.chainOnDisk(s3), "qemu-img: s3 now backs onto s1");
        assertEquals(afterCommit, QemuHost.chainInXml(QemuHost.liveXml(dom), serial));
        assertEquals(afterCommit, entries(commit.chain()));
        assertTrue(Files.exists(host.file(s2)), "the merged-away file stays for the storage side");
        assertTrue(progress.stream().allMatch(p -> p[0] <= p[1] || p[1] == 0), "progress never passes its end");

        MergeResult rebase = host.volumes.snapshotDelete(dom.getName(), info, volume, null, null);
        assertEquals(MergeKind.REBASE, rebase.kind());
        assertEquals(host.file(s1).toString(), rebase.mergedAway());
        List<String> afterRebase = List.of(entry(s3, "qcow2"), entry(volume, "raw"));
        assertEquals(afterRebase, host.chainOnDisk(s3), "qemu-img: s3 now backs onto the base");
        assertEquals(afterRebase, QemuHost.chainInXml(QemuHost.liveXml(dom), serial));
        assertEquals(afterRebase, entries(host.volumes.chain(dom.getName(), info)));
        assertTrue(Files.exists(host.file(s1)));
        assertEquals(host.file(s3).toString(), QemuHost.virshSource(dom, "vdb"));

        QemuHost.qemuIo(dom, "vdb", "flush");
        int expected = 0xa1;
        for (int i = 0; i < 4; i++) {
            assertTrue(host.reads(s3, expected, 65536L * i, 65536), "the guest still reads layer " + i + "'s data");
            expected = i == 0 ? 0xb2 : expected + 0x11;
        }
    }

    /**
     * After a snapshot the guest's disk has the new file as its source, not the one the connection
     * info names: the detach finds it by its serial, and disconnects the attachment of the file the
     * disk uses, so the mount goes with the last attachment.
     */
    @Test
    void aDetachAfterASnapshotFindsTheDiskBySerialAndTheMountGoesWithTheLastAttachment() throws Exception {
        attachNewVolume(SIZE, AttachMode.LIVE_AND_CONFIG);
        Attachment attachment = Attachment.of(volume, dom.getName());
        String next = snapshotOnto(volume, "raw");
        assertEquals(List.of(entry(next, "qcow2"), entry(volume, "raw")),
                QemuHost.chainInXml(dom.getXMLDesc(2 /* VIR_DOMAIN_XML_INACTIVE */), QemuHost.serial(volume)),
                "libvirt switched the persistent definition too");

        // found by serial: the guest is asked to let go (it has no OS to do so) instead of "not attached"
        DetachResult live = host.attacher.detach(dom.getName(), info, attachment, AttachMode.LIVE);
        assertEquals(DetachOutcome.NOT_RELEASED, live.outcome());
        assertTrue(host.isMounted());

        dom.destroy();
        DetachResult config = host.attacher.detach(dom.getName(), info, attachment, AttachMode.CONFIG);
        assertEquals(DetachOutcome.DETACHED, config.outcome());
        assertEquals(DisconnectOutcome.UNMOUNTED, config.disconnect().orElseThrow());
        assertEquals(List.of(), QemuHost.chainInXml(dom.getXMLDesc(2), QemuHost.serial(volume)), "the disk left the definition");
        assertFalse(host.isMounted(), "the mount went with the last attachment");
        assertFalse(Files.exists(host.mountDir));
        assertTrue(Files.exists(host.store.resolve(next)), "the volume's files stay on the share");
    }

    private ChainLink link(String name, String format) {
        return new ChainLink(host.file(name).toString(), format);
    }

    private String entry(String name, String format) {
        return host.file(name) + " (" + format + ")";
    }

    private static List<String> entries(DiskChain chain) {
        return chain.links().stream().map(l -> l.path() + " (" + l.format() + ")").toList();
    }
}
