package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.VolumeDriverException;

/** Deterministic interleavings: the fake mounter parks inside a mount or unmount until the test releases it. */
class InterleavingTest extends FakeHostFixture {

    ExecutorService threads;

    @BeforeEach
    void setUp() {
        threads = Executors.newCachedThreadPool();
        filesOnMount(0, VOLUME1);
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
    }

    static void await(CountDownLatch l) {
        try {
            assertTrue(l.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    void waitUntil(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "condition not reached");
            Thread.sleep(2);
        }
    }

    @Test
    void twoConnectsToOneExportMountOnce() throws Exception {
        QuobyteEngine e = engine();
        CountDownLatch inMount = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        mounter.beforeMount = () -> {
            inMount.countDown();
            await(release);
        };
        Future<?> a = threads.submit(() -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        await(inMount);
        Future<?> b = threads.submit(() -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
        waitUntil(() -> e.hasWaiters(dir));
        assertFalse(b.isDone(), "the second connect waits for the first");
        release.countDown();
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        assertEquals(1, mounter.named("mount.quobyte").size());
        assertEquals(2, e.mounts().get(0).attachments().size());
    }

    @Test
    void differentExportsDoNotWaitForEachOther() throws Exception {
        QuobyteEngine e = engine();
        String other = "10.0.0.2/other";
        Path otherDir = base.resolve(MountLayout.hash(other));
        CountDownLatch inMount = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        mounter.beforeMount = () -> {
            if (Thread.currentThread().getName().equals("slow")) {
                inMount.countDown();
                await(release);
            }
        };
        mounter.afterMount = () -> {
            writeEmpty(dir.resolve(VOLUME1));
            if (Files.isDirectory(otherDir)) {
                writeEmpty(otherDir.resolve(VOLUME1));
            }
        };
        Thread slow = new Thread(() -> {
            try {
                e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
            } catch (VolumeDriverException ex) {
                throw new AssertionError(ex);
            }
        }, "slow");
        slow.start();
        await(inMount);
        // while the first export's mount is parked, another export connects completely
        e.connect(info(other, VOLUME1), new Attachment(VOLUME1, "vm9"));
        assertTrue(table.isMounted(otherDir.toString()));
        release.countDown();
        slow.join(10_000);
        assertEquals(2, mounter.named("mount.quobyte").size());
    }

    @Test
    void concurrentOperationLimitFailsFastBeforeAnyProcess() throws Exception {
        QuobyteEngine e = engine(settings().maxConcurrentOperations(1));
        CountDownLatch inMount = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        mounter.beforeMount = () -> {
            inMount.countDown();
            await(release);
        };
        Future<?> a = threads.submit(() -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        await(inMount);
        String other = "10.0.0.2/other";
        org.volumedriver.spi.LimitExceededException ex = assertThrows(org.volumedriver.spi.LimitExceededException.class,
                () -> e.connect(info(other, VOLUME1), new Attachment(VOLUME1, "vm2")));
        assertEquals("max.concurrent.operations", ex.limit());
        assertEquals(1, mounter.named("mount.quobyte").size(), "no second process");
        assertFalse(Files.exists(base.resolve(MountLayout.hash(other))), "nothing created");
        release.countDown();
        a.get(10, TimeUnit.SECONDS);
    }

    @Test
    void disconnectRacingConnectLeavesTheExportMountedIffAttachmentsRemain() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        CountDownLatch inUmount = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        mounter.beforeUmount = () -> {
            inUmount.countDown();
            await(release);
        };
        Future<DisconnectOutcome> d = threads.submit(() -> e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        await(inUmount);
        Future<?> c = threads.submit(() -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
        waitUntil(() -> e.hasWaiters(dir));
        assertFalse(c.isDone());
        release.countDown();
        assertEquals(DisconnectOutcome.UNMOUNTED, d.get(10, TimeUnit.SECONDS));
        c.get(10, TimeUnit.SECONDS);
        assertTrue(table.isMounted(dir.toString()), "vm2 remains, so the export is mounted");
        assertEquals(2, mounter.named("mount.quobyte").size());
        assertEquals(1, e.mounts().get(0).attachments().size());
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
        // and the other way round: the last disconnect after that unmounts
        mounter.beforeUmount = () -> { };
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
        assertFalse(table.isMounted(dir.toString()));
    }

    @Test
    void failedUnmountThenConnect() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        mounter.busy.add(dir.toString());
        CountDownLatch inUmount = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        mounter.beforeUmount = () -> {
            inUmount.countDown();
            await(release);
        };
        Future<DisconnectOutcome> d = threads.submit(() -> e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        await(inUmount);
        Future<?> c = threads.submit(() -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
        waitUntil(() -> e.hasWaiters(dir));
        release.countDown();
        assertEquals(DisconnectOutcome.BUSY, d.get(10, TimeUnit.SECONDS));
        c.get(10, TimeUnit.SECONDS);
        assertEquals(1, mounter.named("mount.quobyte").size(), "the busy mount is reused");
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
        assertEquals(1, e.mounts().get(0).attachments().size());
    }

    @Test
    void anotherEngineOnTheSameBaseIsExcludedByTheLockFile() throws Exception {
        QuobyteEngine first = engine();
        CountDownLatch inMount = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        mounter.beforeMount = () -> {
            inMount.countDown();
            await(release);
        };
        Future<?> a = threads.submit(() -> first.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        await(inMount);
        Fakes.Mounter secondMounter = new Fakes.Mounter(table);
        QuobyteEngine second = engineBuilder().mounter(secondMounter)
                .settings(Settings.builder().mountBase(base.toString()).lockTimeoutMs(200).journal(tmp.resolve("other.journal").toString()))
                .start();
        VolumeDriverException ex = assertThrows(VolumeDriverException.class,
                () -> second.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
        assertEquals("LOCK_TIMEOUT", ex.code());
        assertTrue(secondMounter.calls.isEmpty());
        release.countDown();
        a.get(10, TimeUnit.SECONDS);
        second.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2"));
        assertTrue(secondMounter.calls.isEmpty(), "the mount made by the first is healthy: reused");
    }

    @Test
    void anotherProcessHoldingTheLockFileExcludesUs() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(python), "python3 is needed to hold a POSIX lock from another process");
        QuobyteEngine e = engine(settings().lockTimeoutMs(300));
        Path lockFile = base.resolve(QuobyteEngine.STATE_DIR).resolve(HASH + ".lock");
        // fcntl locks, like FileChannel.lock: held until stdin closes
        Process holder = new ProcessBuilder(python.toString(), "-c",
                "import fcntl,sys\nf=open(sys.argv[1],'a')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\nsys.stdin.read()",
                lockFile.toString()).redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
            assertEquals("locked", line);
            VolumeDriverException ex = assertThrows(VolumeDriverException.class,
                    () -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
            assertEquals("LOCK_TIMEOUT", ex.code());
            assertTrue(mounter.calls.isEmpty(), "nothing runs while another agent holds the directory");
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        }
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertEquals(1, mounter.named("mount.quobyte").size());
    }

    @Test
    void restartAfterMountBeforeJournalAdoptsTheMount() throws Exception {
        // a crash between the mount and the journal write: mounted, nothing journaled
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        table.mountQuobyte(dir.toString(), EXPORT);
        writeEmpty(dir.resolve(VOLUME1));
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertTrue(mounter.calls.isEmpty());
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
    }

    @Test
    void restartAfterUnmountBeforeJournalFinishesTheDisconnect() throws Exception {
        QuobyteEngine first = engine();
        first.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        first.close();
        // the unmount happened, the journal still lists the attachment
        table.unmount(dir.toString());
        QuobyteEngine second = engine();
        assertEquals(MountState.NOT_MOUNTED, second.mounts().get(0).state());
        int before = mounter.calls.size();
        assertEquals(DisconnectOutcome.UNMOUNTED, second.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertEquals(before, mounter.calls.size());
        assertTrue(second.mounts().isEmpty());
    }

    @Test
    void restartWithAttachmentsButNoMountRemountsOnConnect() throws Exception {
        QuobyteEngine first = engine();
        first.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        first.close();
        table.unmount(dir.toString()); // e.g. the client died and was cleaned up while we were down
        Files.deleteIfExists(dir.resolve(VOLUME1));
        QuobyteEngine second = engine();
        second.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2"));
        assertEquals(2, mounter.named("mount.quobyte").size());
        assertEquals(2, second.mounts().get(0).attachments().size());
    }
}
