package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.internal.DomainXml;
import org.volumedriver.libvirt.internal.VolumeAttacherImpl;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.quobyte.internal.QuobyteAdminService;
import org.volumedriver.quobyte.internal.QuobyteVolumeDriver;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.testsupport.ProcStat;
import org.volumedriver.testsupport.RealTests;

/**
 * The product's path on one host, with nothing faked: the Quobyte driver mounts the export through
 * the FUSE stand-in (the real executor runs it as {@code mount.quobyte}), the libvirt bundle
 * attaches the volume file on that mount to a running QEMU guest (TCG) of a real libvirtd, and QEMU,
 * running as its own user, opens the file through the mount. Requires root, {@code /dev/fuse} and
 * the daemons of {@code scripts/hypervisor-sandbox} in the same private mount namespace
 * ({@code scripts/test}), so that QEMU sees the test's mounts.
 */
class QuobyteVolumeOnQemuTest {

    static final String EXPORT = "registry.example.org:7861/e2e-volume";
    static final String QEMU_GROUP = "libvirt-qemu";
    static final Path SOCKET = Path.of("/run/libvirt/libvirt-sock");
    static final long SIZE = 1024 * 1024;

    @TempDir
    Path tmp;
    QemuHost host;
    Path base;
    Path mountDir;
    Path store;
    String volume;
    QuobyteVolumeDriver quobyte;
    VolumeAttacherImpl attacher;

    @BeforeAll
    static void prerequisites() {
        // it mounts file systems and starts guests: only on request, inside scripts/test's namespace
        RealTests.onlyWhenRequired("the end-to-end test")
                .needFuseStandin()
                .need(Files.exists(SOCKET), "libvirtd (scripts/hypervisor-sandbox start)")
                .check();
    }

    @BeforeEach
    void setUp() throws Exception {
        // QEMU runs as libvirt-qemu: mode 0750 stays, QEMU gets in through the group (directory.group)
        host = new QemuHost(tmp, EXPORT, QemuHost.TEST_JOBS);
        base = host.base;
        mountDir = host.mountDir;
        store = host.store;
        quobyte = host.quobyte;
        attacher = host.attacher;
        volume = "volume-" + UUID.randomUUID();
        Files.write(store.resolve(volume), new byte[(int) SIZE]);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void aRunningGuestGetsTheVolumeFromTheQuobyteMountAndTheMountStaysWhileQemuHoldsIt() throws Exception {
        Domain dom = host.startGuest("vde2e");
        ConnectionInfo info = ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte",
                "data", Map.of("export", "quobyte://" + EXPORT, "name", volume, "format", "raw")));
        Attachment attachment = Attachment.of(volume, dom.getName());
        Path source = mountDir.resolve(volume);

        AttachResult attached = attacher.attach(dom.getName(), info, attachment, "vdb", "virtio", AttachMode.LIVE);

        assertEquals(source.toString(), attached.disk().sourcePath());
        assertTrue(host.isMounted(), "the export is mounted through the stand-in: " + mountDir);
        assertEquals(QEMU_GROUP, Files.readAttributes(base, java.nio.file.attribute.PosixFileAttributes.class).group().getName());
        DomainXml.Disk disk = DomainXml.disks(dom.getXMLDesc(0)).stream().filter(d -> d.source().equals(Optional.of(source.toString())))
                .findFirst().orElseThrow(() -> new AssertionError("the disk is not in the guest's live definition"));
        assertEquals("vdb", disk.targetDev());
        assertEquals(SIZE, dom.blockInfo("vdb").getCapacity(), "QEMU reads the image's size through the FUSE mount");
        assertTrue(QemuHost.qemuHasOpen(dom, source), "the QEMU process holds the file on the FUSE mount open");
        MountStatus mount = quobyte.mounts().get(0);
        assertEquals(MountState.HEALTHY, mount.state());
        assertEquals(List.of(attachment), List.copyOf(mount.attachments()));

        // no guest OS acknowledges the unplug: the volume stays connected, the mount stays
        DetachResult detach = attacher.detach(dom.getName(), info, attachment, AttachMode.LIVE);
        assertEquals(DetachOutcome.NOT_RELEASED, detach.outcome());
        assertTrue(host.isMounted());

        // a disconnect behind libvirt's back cannot pull the mount from under QEMU
        assertEquals(DisconnectOutcome.BUSY, quobyte.disconnect(info, attachment));
        assertTrue(host.isMounted(), "umount was refused while QEMU had the file open");
        assertTrue(QemuHost.qemuHasOpen(dom, source));

        // once the guest is gone the repeated disconnect unmounts and removes the directory
        dom.destroy();
        assertEquals(DisconnectOutcome.UNMOUNTED, quobyte.disconnect(info, attachment));
        assertFalse(host.isMounted());
        assertFalse(Files.exists(mountDir));
    }

    /**
     * A hung client under a running guest: QEMU blocks in I/O on the volume file (a qemu-io read
     * through the monitor stands in for the guest's, which has no OS), and with QEMU's main loop
     * waiting, libvirt cannot answer for the disk. A forced heal aborts the client's FUSE
     * connection: QEMU's read fails at once, libvirt answers again, and the guest can be destroyed.
     */
    @Test
    void aForcedHealOfAHungClientUnblocksQemuSoLibvirtAnswersAndTheGuestCanBeDestroyed() throws Exception {
        Domain dom = host.startGuest("vde2e");
        ConnectionInfo info = ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte",
                "data", Map.of("export", "quobyte://" + EXPORT, "name", volume, "format", "raw")));
        Attachment attachment = Attachment.of(volume, dom.getName());
        attacher.attach(dom.getName(), info, attachment, "vdb", "virtio", AttachMode.LIVE);
        String device = QemuHost.alias(dom.getXMLDesc(0), "vdb");
        String node = blockField(dom.qemuMonitorCommand("{\"execute\":\"query-block\"}", 0), device, "node-name");
        String client = Files.readString(store.resolveSibling(store.getFileName() + ".pid")).strip();
        QuobyteAdminService admin = new QuobyteAdminService(quobyte);
        ExecutorService background = Executors.newCachedThreadPool();
        try {
            stop(client);
            // QEMU's I/O on the stopped client: the monitor command waits for the read, and so does QEMU
            Future<String> io = background.submit(() -> dom.qemuMonitorCommand("qemu-io " + node + " \"read 0 4096\"", 1));
            Thread.sleep(1000);
            assertFalse(io.isDone(), () -> "QEMU's read hangs on the stopped client: " + describe(io));
            Future<Long> capacity = background.submit(() -> dom.blockInfo("vdb").getCapacity());
            Thread.sleep(2000);
            assertFalse(capacity.isDone(), "the fault: libvirt cannot answer for the disk while QEMU hangs");

            long start = System.nanoTime();
            HealReport healed = admin.heal(mountDir.toString(), true);
            long healMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(HealStep.Outcome.DONE, healed.steps().get(0).outcome(), healed.steps().toString());
            io.get(10, TimeUnit.SECONDS);
            long ioMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(SIZE, capacity.get(10, TimeUnit.SECONDS), "libvirt answers domblkinfo for the disk");
            long infoMillis = (System.nanoTime() - start) / 1_000_000;
            // qemu-io writes its result to QEMU's stdout, which libvirt keeps in the guest's log
            String qemuIo = Files.readAllLines(Path.of("/var/log/libvirt/qemu", dom.getName() + ".log")).stream()
                    .filter(l -> l.startsWith("read ")).reduce((a, b) -> b).orElse("(no qemu-io line in the guest's log)");
            String blockStatus = background.submit(() -> dom.qemuMonitorCommand("{\"execute\":\"query-block\"}", 0))
                    .get(10, TimeUnit.SECONDS);
            DomainInfo.DomainState state = dom.getInfo().state;
            System.out.println("[hung client under QEMU] forced heal took " + healMillis + " ms (its probe decides); QEMU's read "
                    + "returned after " + ioMillis + " ms: " + qemuIo.strip() + "; domblkinfo answered after " + infoMillis
                    + " ms; guest state " + state + "; io-status " + blockField(blockStatus, device, "io-status"));
            assertTrue(qemuIo.startsWith("read failed"), "QEMU's read got the error: " + qemuIo);
            assertTrue(infoMillis - healMillis < 2_000, "libvirt answers within 2 s of the heal: " + (infoMillis - healMillis) + " ms");
            assertEquals(MountState.HEALTHY, healed.status().state());

            long destroyStart = System.nanoTime();
            background.submit(() -> {
                dom.destroy();
                return null;
            }).get(10, TimeUnit.SECONDS);
            System.out.println("[hung client under QEMU] guest destroyed in " + (System.nanoTime() - destroyStart) / 1_000_000 + " ms");
            assertEquals(DisconnectOutcome.UNMOUNTED, quobyte.disconnect(info, attachment));
            assertFalse(host.isMounted());
        } finally {
            new ProcessBuilder("/bin/kill", "-CONT", client).start().waitFor(5, TimeUnit.SECONDS);
            new ProcessBuilder("/bin/kill", "-KILL", client).start().waitFor(5, TimeUnit.SECONDS);
            background.shutdownNow();
        }
    }

    private static String describe(Future<String> done) {
        try {
            return "it answered " + done.get();
        } catch (Exception e) {
            return "it failed: " + e;
        }
    }

    /** SIGSTOP, then waits until every thread of the client is stopped. */
    private static void stop(String pid) throws Exception {
        new ProcessBuilder("/bin/kill", "-STOP", pid).start().waitFor(5, TimeUnit.SECONDS);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ProcStat.taskStates(Long.parseLong(pid)).stream().allMatch(s -> s == 'T')) {
            assertTrue(System.nanoTime() < end, "the client did not stop");
            Thread.sleep(5);
        }
    }

    /**
     * A string field of the block device attached to the disk with this alias, from query-block's
     * answer (each device's fields come before its {@code qdev}): {@code node-name} is the node
     * QEMU reads it through, {@code io-status} what domblkerror reports.
     */
    private static String blockField(String queryBlock, String device, String field) {
        Matcher key = Pattern.compile("\"qdev\":\\s*\"/machine/peripheral/" + Pattern.quote(device) + "/").matcher(queryBlock);
        assertTrue(key.find(), "no block device attached to " + device + ": " + queryBlock);
        int previous = queryBlock.lastIndexOf("\"qdev\"", key.start() - 1);
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":\\s*\"([^\"]+)\"").matcher(queryBlock);
        m.region(Math.max(previous, 0), key.start());
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        assertTrue(found != null, "no " + field + " for " + device + ": " + queryBlock);
        return found;
    }
}
