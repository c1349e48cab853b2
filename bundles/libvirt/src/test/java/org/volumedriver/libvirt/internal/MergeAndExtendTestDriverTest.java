package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.libvirt.InvalidSizeException;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Snapshot delete, extend and the chain on the test driver: the chain s2 (active, qcow2) over s1
 * (qcow2) over the raw base, as libvirt's {@code <backingStore>} and on the share. Every refusal
 * is typed and changes nothing; the accepted requests reach libvirt, which does not implement
 * block jobs or resize there (error 3): the pull goes through the JNA mapping of
 * {@code virDomainBlockRebase} for real.
 */
class MergeAndExtendTestDriverTest extends AttachedVolumesFixture {

    static final String S1 = BASE + ".s1";
    static final String S2 = BASE + ".s2";

    private String domain;

    @BeforeEach
    void chainOfThree() throws Exception {
        raw(BASE, 1 << 20);
        qcow2(S1, GIB, BASE, "raw");
        qcow2(S2, GIB, S1, "qcow2");
        domain = define(true, disk("vdb", UUID, path(S2), "qcow2", path(S1), "qcow2", path(BASE), "raw"));
    }

    private void refusedWithoutChange(Map<String, Executable> refusals) throws Exception {
        String live = liveXml(domain);
        Map<String, String> files = files();
        for (Map.Entry<String, Executable> refusal : refusals.entrySet()) {
            String[] expected = refusal.getKey().split(" ");
            VolumeDriverException e = assertThrows(VolumeDriverException.class, refusal.getValue(), refusal.getKey());
            assertEquals(expected[0], e.code(), refusal.getKey() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            if (e instanceof InvalidConnectionInfoException invalid && expected.length > 1) {
                assertEquals(expected[1], invalid.field(), refusal.getKey());
            }
            if (e instanceof HypervisorException hypervisor && expected.length > 1) {
                assertEquals(refusal.getKey().substring(expected[0].length() + 1), hypervisor.operation() + "/" + hypervisor.errorCode());
            }
        }
        assertEquals(live, liveXml(domain));
        assertEquals(files, files());
    }

    @Test
    void theChainIsLibvirtsActiveFirst() throws Exception {
        DiskChain chain = volumes.chain(domain, info(BASE));
        assertEquals("vdb", chain.targetDev());
        assertEquals(Optional.of(UUID), chain.serial());
        assertEquals(List.of(new ChainLink(path(S2), "qcow2"), new ChainLink(path(S1), "qcow2"), new ChainLink(path(BASE), "raw")),
                chain.links());
        // whichever file of the volume the connection info names
        assertEquals(chain, volumes.chain(domain, info(S1)));
        // a stopped domain: its definition
        String stopped = define(false, disk("vdc", UUID, path(S1), "qcow2", path(BASE), "raw"));
        assertEquals(List.of(path(S1), path(BASE)), volumes.chain(stopped, info(BASE)).links().stream().map(ChainLink::path).toList());
        assertEquals("DISK_NOT_FOUND", assertThrows(VolumeDriverException.class,
                () -> volumes.chain(domain, info("volume-" + OTHER_UUID))).code());
    }

    @Test
    void mergesThatBreakNovasRuleOrTheNamesAreRefused() throws Exception {
        Map<String, Executable> refusals = new LinkedHashMap<>();
        refusals.put("INVALID_CONNECTION_INFO file_to_merge", () -> volumes.snapshotDelete(domain, info(BASE), "../" + S1, null, null));
        refusals.put("INVALID_CONNECTION_INFO merge_target_file", () -> volumes.snapshotDelete(domain, info(BASE), S1, "/etc/passwd", null));
        refusals.put("INVALID_CONNECTION_INFO file_to_merge", () -> volumes.snapshotDelete(domain, info(BASE), null, BASE, null));
        refusals.put("INVALID_CONNECTION_INFO data.name", () -> volumes.snapshotDelete(domain, info(BASE), "notavolume", null, null));
        refusals.put("UNSAFE_PATH", () -> volumes.snapshotDelete(domain, info(BASE), BASE + ".gone", null, null));
        refusals.put("CHAIN_MISMATCH direct backing", () -> volumes.snapshotDelete(domain, info(BASE), S1, null, null));
        refusals.put("CHAIN_MISMATCH pull all", () -> volumes.snapshotDelete(domain, info(BASE), null, null, null));
        refusals.put("CHAIN_MISMATCH active on top", () -> volumes.snapshotDelete(domain, info(BASE), S2, S1, null));
        refusals.put("CHAIN_MISMATCH not adjacent", () -> volumes.snapshotDelete(domain, info(BASE), S2, BASE, null));
        refusals.put("CHAIN_MISMATCH reversed", () -> volumes.snapshotDelete(domain, info(BASE), BASE, S1, null));
        refusals.put("DISK_NOT_FOUND", () -> volumes.snapshotDelete(domain, info("volume-" + OTHER_UUID), S1, BASE, null));
        refusals.put("INVALID_DISK_SPEC", () -> volumes.snapshotDelete("x y", info(BASE), S1, BASE, null));
        refusedWithoutChange(refusals);
    }

    @Test
    void aShareThatDisagreesWithLibvirtIsRefused() throws Exception {
        raw(BASE + ".other", 512);
        qcow2(S1, GIB, BASE + ".other", "raw");
        VolumeDriverException e = assertThrows(VolumeDriverException.class, () -> volumes.snapshotDelete(domain, info(BASE), S1, BASE, null));
        assertEquals("CHAIN_MISMATCH", e.code());
        assertTrue(e.getMessage().contains("on the share"), e.getMessage());

        // libvirt uses the base as raw, the share has a qcow2 header there
        qcow2(S1, GIB, BASE, "raw");
        qcow2(BASE, GIB, null, null);
        e = assertThrows(VolumeDriverException.class, () -> volumes.snapshotDelete(domain, info(BASE), S1, BASE, null));
        assertEquals("CHAIN_MISMATCH", e.code());
        assertTrue(e.getMessage().contains("libvirt uses it as raw"), e.getMessage());
    }

    @Test
    void aChainFileOutsideTheMountDirectoryIsRefused() throws Exception {
        String outside = define(true, disk("vdb", UUID, path(S2), "qcow2", "/var/lib/other/" + S1, "qcow2", path(BASE), "raw"));
        for (Executable refused : List.<Executable>of(() -> volumes.snapshotDelete(outside, info(BASE), S1, BASE, null),
                () -> volumes.extend(outside, info(BASE), GIB),
                () -> volumes.snapshotCreate(outside, info(BASE), SnapshotCreateTestDriverTest.SNAPSHOT, S1))) {
            VolumeDriverException e = assertThrows(VolumeDriverException.class, refused);
            assertEquals("CHAIN_MISMATCH", e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("is not a file in the volume's mount directory"), e.getMessage());
        }
    }

    @Test
    void acceptedMergesReachLibvirtWhichHasNoBlockJobsHere() throws Exception {
        // Nova's commit: s1 into its backing file
        HypervisorException commit = assertThrows(HypervisorException.class, () -> volumes.snapshotDelete(domain, info(BASE), S1, BASE, null));
        assertEquals("block commit", commit.operation());
        assertEquals(3, commit.errorCode());
        assertTrue(commit.getMessage().contains("virDomainBlockCommit"), commit.getMessage());
        // Nova's pull: s1 into the active file, the base its new backing file, through the JNA mapping
        HypervisorException rebase = assertThrows(HypervisorException.class, () -> volumes.snapshotDelete(domain, info(BASE), BASE, null, null));
        assertEquals("block rebase", rebase.operation());
        assertEquals(3, rebase.errorCode());
        assertTrue(rebase.getMessage().contains("virDomainBlockRebase"), rebase.getMessage());
        refusedWithoutChange(Map.of());
    }

    @Test
    void extendNeverShrinksAndNeverGoesBeyondTheFile() throws Exception {
        // the test driver reports a fixed capacity of about 1 TiB for every disk
        long capacity = libvirt.domain(domain).blockInfo("vdb").getCapacity();
        qcow2(S2, 2 * capacity, S1, "qcow2");
        Map<String, Executable> refusals = new LinkedHashMap<>();
        refusals.put("INVALID_SIZE zero", () -> volumes.extend(domain, info(BASE), 0));
        refusals.put("INVALID_SIZE negative", () -> volumes.extend(domain, info(BASE), -1));
        refusals.put("INVALID_SIZE beyond the file", () -> volumes.extend(domain, info(BASE), 2 * capacity + 1));
        refusals.put("INVALID_SIZE shrink", () -> volumes.extend(domain, info(BASE), capacity - 1));
        refusals.put("DISK_NOT_FOUND", () -> volumes.extend(domain, info("volume-" + OTHER_UUID), capacity + 1));
        refusals.put("HYPERVISOR_ERROR block resize/3", () -> volumes.extend(domain, info(BASE), capacity + 4096));
        refusedWithoutChange(refusals);
        InvalidSizeException shrink = assertThrows(InvalidSizeException.class, () -> volumes.extend(domain, info(BASE), capacity - 1));
        assertEquals(capacity - 1, shrink.requestedBytes());
        assertTrue(shrink.getMessage().contains("never shrink"), shrink.getMessage());

        // the same size: nothing to tell the guest
        assertEquals(capacity, volumes.extend(domain, info(BASE), capacity).newSizeBytes());

        // a raw active file: its file size counts
        String rawGuest = define(true, disk("vdd", OTHER_UUID, path(raw("volume-" + OTHER_UUID, 4096)), "raw"));
        InvalidSizeException beyond = assertThrows(InvalidSizeException.class, () -> volumes.extend(rawGuest, info("volume-" + OTHER_UUID), 8192));
        assertTrue(beyond.getMessage().contains("holds only 4096 bytes (raw)"), beyond.getMessage());
    }
}
