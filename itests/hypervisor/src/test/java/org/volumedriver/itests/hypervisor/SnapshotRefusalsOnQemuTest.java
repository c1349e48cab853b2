package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.libvirt.Domain;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Everything a snapshot must refuse, on a running guest: hostile new files (a path, {@code ..},
 * another volume's name, a raw file, a qcow2 backed by the wrong file or by one in another
 * directory, an undeclared backing format, an external data file), a domain without the volume, and
 * a block job already running on the disk. Each refusal is a typed one-line error, and afterwards
 * the live definition is the same string, every file on the share has the same SHA-256, and the
 * driver's records are unchanged.
 */
class SnapshotRefusalsOnQemuTest extends QemuGuestFixture {

    static final String EXPORT = "registry.example.org:7861/refusals-volume";
    static final long SIZE = 4L << 20;

    SnapshotRefusalsOnQemuTest() {
        super(EXPORT);
    }

    @BeforeEach
    void guestWithVolume() throws Exception {
        attachNewVolume(SIZE, AttachMode.LIVE);
    }

    @Test
    void hostileNewFilesAreRefusedAndNothingChanges() throws Exception {
        String id = UUID.randomUUID().toString();
        String own = volume + "." + id;

        // names that leave the directory or are no volume file name at all
        refused("INVALID_CONNECTION_INFO", () -> create(id, "sub/" + own));
        refused("INVALID_CONNECTION_INFO", () -> create(id, ".."));
        refused("INVALID_CONNECTION_INFO", () -> create(id, "../" + host.mountDir.getFileName() + "/" + own));
        refused("INVALID_CONNECTION_INFO", () -> create(id, host.file(own).toString()));
        refused("INVALID_CONNECTION_INFO", () -> create("not-a-uuid", own));
        refused("INVALID_DISK_SPEC", () -> host.volumes.snapshotCreate("../" + dom.getName(), info, id, own));

        // a file that does not exist yet
        refused("INVALID_CONNECTION_INFO", () -> create(id, own));

        // another volume's file, even though it continues this disk's chain
        String other = "volume-" + UUID.randomUUID();
        host.overlay(other, volume, "raw");
        refused("CHAIN_MISMATCH", () -> create(id, other));

        // a raw file: nothing backs onto the current file
        String raw = volume + "." + UUID.randomUUID();
        try (RandomAccessFile f = new RandomAccessFile(host.store.resolve(raw).toFile(), "rw")) {
            f.setLength(SIZE);
        }
        refused("CHAIN_MISMATCH", () -> create(id(raw), raw));

        // a qcow2 on another file of the share
        String stranger = host.newVolume(SIZE);
        String wrongBacking = overlayOn(stranger, "raw");
        refused("CHAIN_MISMATCH", () -> create(id(wrongBacking), wrongBacking));

        // a qcow2 on a file in another directory: the current file's name, but elsewhere
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        try (RandomAccessFile f = new RandomAccessFile(elsewhere.resolve(volume).toFile(), "rw")) {
            f.setLength(SIZE);
        }
        String outside = overlayOn(elsewhere.resolve(volume).toString(), "raw");
        refused("UNSAFE_IMAGE", () -> create(id(outside), outside));

        // the backing format left for QEMU to guess
        String undeclared = overlayOn(volume, "raw");
        Qcow2Headers.hideBackingFormat(host.file(undeclared));
        assertFalse(QemuHost.run(List.of("/usr/bin/qemu-img", "info", "-U", host.file(undeclared).toString())).contains("backing file format"),
                "qemu-img sees no declared backing format");
        refused("UNSAFE_IMAGE", () -> create(id(undeclared), undeclared));

        // an external data file: the guest's data would live in a file nobody checked
        String dataFile = volume + "." + UUID.randomUUID();
        QemuHost.run(List.of("/usr/bin/qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dataFile + ".data", "-F", "raw",
                "-b", volume, dataFile), host.mountDir);
        refused("UNSAFE_IMAGE", () -> create(id(dataFile), dataFile));

        assertEquals(host.file(volume).toString(), QemuHost.virshSource(dom, "vdb"), "the guest still writes to the volume's file");
    }

    @Test
    void aDomainWithoutTheVolumesSerialIsDiskNotFound() throws Exception {
        Domain bare = host.startGuest("vdbare");
        String next = overlayOn(volume, "raw");
        refused("DISK_NOT_FOUND", () -> host.volumes.snapshotCreate(bare.getName(), info, id(next), next), bare);
        refused("DISK_NOT_FOUND", () -> host.volumes.snapshotDelete(bare.getName(), info, volume, null, null), bare);
        refused("DISK_NOT_FOUND", () -> host.volumes.extend(bare.getName(), info, SIZE), bare);
        refused("DISK_NOT_FOUND", () -> host.volumes.chain(bare.getName(), info), bare);
    }

    /**
     * Merges that do not fit Nova's rule on the chain base ← s1 ← s2 (active): the active file
     * committed, a commit into a file that is not the direct backing one, a rebase onto the
     * active file's direct backing file, a pull of everything from a chain of three, a file of
     * another volume, a file that does not exist.
     */
    @Test
    void mergesThatDoNotFitNovasRuleAreRefused() throws Exception {
        String s1 = snapshotOnto(volume, "raw");
        String s2 = snapshotOnto(s1, "qcow2");
        String stranger = host.newVolume(SIZE);

        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, s2, s1, null));
        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, s1, s2, null));
        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, s2, volume, null));
        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, s1, null, null));
        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, null, null, null));
        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, stranger, null, null));
        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, s1, stranger, null));
        refused("INVALID_CONNECTION_INFO", () -> host.volumes.snapshotDelete(dom.getName(), info, volume + "." + UUID.randomUUID(), null, null));
        refused("INVALID_CONNECTION_INFO", () -> host.volumes.snapshotDelete(dom.getName(), info, null, volume, null));
        refused("INVALID_CONNECTION_INFO", () -> host.volumes.snapshotDelete(dom.getName(), info, "../" + s1, volume, null));
        assertEquals(List.of(host.file(s2) + " (qcow2)", host.file(s1) + " (qcow2)", host.file(volume) + " (raw)"), host.chainOnDisk(s2));

        // the share no longer agrees with libvirt: s1's header names another file as its backing
        Qcow2Headers.replaceBackingName(host.file(s1), stranger);
        assertEquals(List.of(host.file(s2) + " (qcow2)", host.file(s1) + " (qcow2)", host.file(stranger) + " (raw)"), host.chainOnDisk(s2));
        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, volume, null, null));
        refused("CHAIN_MISMATCH", () -> host.volumes.snapshotDelete(dom.getName(), info, s1, volume, null));
    }

    /**
     * A commit started by hand with a bandwidth limit runs while the snapshot, the merge and the
     * extend are asked for: each is refused while libvirt reports the job, and the job is left
     * running. The commit's base file changes meanwhile (that is the job's work); every other file
     * must not.
     */
    @Test
    void nothingChangesTheDiskWhileABlockJobRuns() throws Exception {
        String s1 = snapshotOnto(volume, "raw");
        QemuHost.qemuIo(dom, "vdb", "write -P 0x77 0 1M");
        String s2 = snapshotOnto(s1, "qcow2");
        String s3 = overlayOn(s2, "qcow2");

        // 1 MiB at 16 KiB/s: a minute of work; the test aborts it long before
        QemuHost.virsh("blockcommit", dom.getName(), "vdb", "--top", host.file(s1).toString(), "--base", host.file(volume).toString(),
                "--bandwidth", "16384", "--bytes");
        assertTrue(QemuHost.virsh("blockjob", dom.getName(), "vdb", "--info").contains("Block Commit"), "the commit runs");
        try {
            Predicate<String> notTheCommitTarget = name -> !name.equals(volume);
            refused("BLOCK_JOB_ACTIVE", () -> create(id(s3), s3), dom, notTheCommitTarget);
            refused("BLOCK_JOB_ACTIVE", () -> host.volumes.snapshotDelete(dom.getName(), info, s2, s1, null), dom, notTheCommitTarget);
            refused("BLOCK_JOB_ACTIVE", () -> host.volumes.snapshotDelete(dom.getName(), info, s1, null, null), dom, notTheCommitTarget);
            refused("BLOCK_JOB_ACTIVE", () -> host.volumes.extend(dom.getName(), info, SIZE), dom, notTheCommitTarget);
            assertTrue(QemuHost.virsh("blockjob", dom.getName(), "vdb", "--info").contains("Block Commit"), "the commit still runs");
        } finally {
            // without --async virsh returns once QEMU has cancelled the job
            QemuHost.virsh("blockjob", dom.getName(), "vdb", "--abort");
        }
        assertFalse(QemuHost.virsh("blockjob", dom.getName(), "vdb", "--info").contains("Block Commit"), "the commit is gone");
        // once the job is gone the same snapshot goes through
        snapshot(s3);
        assertEquals(host.file(s3).toString(), QemuHost.virshSource(dom, "vdb"));
    }

    private void create(String snapshotId, String newFile) throws Exception {
        host.volumes.snapshotCreate(dom.getName(), info, snapshotId, newFile);
    }

    private void refused(String code, Executable call) throws Exception {
        refused(code, call, dom, name -> true);
    }

    private void refused(String code, Executable call, Domain watched) throws Exception {
        refused(code, call, watched, name -> true);
    }

    /** The call fails with the code in one line, and the guests, the hashed files and the records are as before. */
    private void refused(String code, Executable call, Domain watched, Predicate<String> hashed) throws Exception {
        String liveXml = QemuHost.liveXml(dom);
        String watchedXml = QemuHost.liveXml(watched);
        Map<String, String> hashes = hashesOf(hashed);
        Set<Attachment> recorded = host.quobyte.mounts().get(0).attachments();

        VolumeDriverException e = assertThrows(VolumeDriverException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        System.out.println("[refused] " + e.code() + ": " + e.getMessage());

        assertEquals(liveXml, QemuHost.liveXml(dom), "the live definition is unchanged");
        assertEquals(watchedXml, QemuHost.liveXml(watched));
        assertEquals(hashes, hashesOf(hashed), "every file on the share is unchanged");
        assertEquals(recorded, host.quobyte.mounts().get(0).attachments(), "the driver's records are unchanged");
    }

    private Map<String, String> hashesOf(Predicate<String> hashed) throws Exception {
        Map<String, String> all = host.hashes();
        all.keySet().removeIf(hashed.negate());
        return all;
    }
}
