package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.MergeKind;
import org.volumedriver.libvirt.MergeResult;
import org.volumedriver.libvirt.internal.LibvirtSettings;

/**
 * How long an assisted snapshot and a commit take on one host (TCG guest, volume on the stand-in's
 * FUSE mount): the median of five snapshot creates, and of five commits of a 64 MiB delta (written
 * into the active overlay through QEMU before each commit). Prints the numbers; asserts only that
 * the work was done, never a time. The block-job wait as shipped (looked at every 500 ms). Not part
 * of the test run:
 * {@code scripts/test -o -pl itests/hypervisor -Dvolumedriver.measure=true}.
 */
class SnapshotMeasurement extends QemuGuestFixture {

    static final String EXPORT = "registry.example.org:7861/measured-volume";
    static final long MIB = 1L << 20;
    static final int RUNS = 5;

    SnapshotMeasurement() {
        super(EXPORT, LibvirtSettings.BlockJobPolicy.DEFAULT);
    }

    @Test
    void snapshotCreateAndCommitOfA64MiBDelta() throws Exception {
        attachNewVolume(128 * MIB, AttachMode.LIVE);

        // each snapshot on top of the last: a chain of six
        List<Long> creates = new ArrayList<>();
        String active = volume;
        for (int i = 0; i < RUNS; i++) {
            String next = overlayOn(active, i == 0 ? "raw" : "qcow2");
            long start = System.nanoTime();
            snapshot(next);
            creates.add(System.nanoTime() - start);
            active = next;
        }

        // each round: 64 MiB into the active overlay, a new overlay on top, then commit the written one into its backing
        List<Long> commits = new ArrayList<>();
        List<Long> jobs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            QemuHost.qemuIo(dom, "vdb", "write -P 0x" + Integer.toHexString(0x31 + i) + " 0 64M");
            QemuHost.qemuIo(dom, "vdb", "flush");
            String written = active;
            assertTrue(Files.size(host.store.resolve(written)) > 64 * MIB, "the delta is on the share");
            String target = host.volumes.chain(dom.getName(), info).links().get(1).path();
            String next = snapshotOnto(written, "qcow2");
            active = next;
            String targetName = Path.of(target).getFileName().toString();
            long start = System.nanoTime();
            MergeResult commit = host.volumes.snapshotDelete(dom.getName(), info, written, targetName, null);
            commits.add(System.nanoTime() - start);
            jobs.add(commit.duration().toNanos());
            assertEquals(MergeKind.COMMIT, commit.kind());
        }
        System.out.println("[snapshot measurement] snapshot create: median " + millis(median(creates)) + " ms of " + RUNS + " "
                + each(creates));
        System.out.println("[snapshot measurement] commit of a 64 MiB delta: median " + millis(median(commits)) + " ms of " + RUNS + " "
                + each(commits) + "; as the service measured it: median " + millis(median(jobs)) + " ms");
    }

    static long median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    static String millis(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    static String each(List<Long> nanos) {
        return nanos.stream().map(SnapshotMeasurement::millis).toList().toString();
    }
}
