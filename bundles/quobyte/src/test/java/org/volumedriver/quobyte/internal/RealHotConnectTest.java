package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.testsupport.RealTests;

/**
 * The hot connect on a real stand-in mount and the real kernel (D1, E3): the mount's unique id is
 * recorded, so connects to it read no mount table; a file system mounted on top by hand is seen
 * by the next connect all the same. Root in a private mount namespace; required when
 * VOLUMEDRIVER_REAL_TESTS=required, skipped otherwise.
 */
class RealHotConnectTest extends RealHostFixture {

    QuobyteEngine engine;
    final AtomicInteger tableReads = new AtomicInteger();

    @BeforeAll
    static void prerequisites() {
        RealTests.onlyWhenRequired("the real hot-connect test").needFuseStandin().check();
    }

    /** Counts the engine's reads of the real table: a hot connect should not need one. */
    @Override
    MountTable mountTable() {
        MountTable proc = new MountTable.Proc();
        return () -> {
            tableReads.incrementAndGet();
            return proc.read();
        };
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[0]);
        engine = engine();
    }

    static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", argv));
    }

    long processes() {
        return executor.statistics().values().stream().mapToLong(CommandStatistics::runs).sum();
    }

    @Test
    void connectsToTheRecordedMountReadNoMountTableAndAMountOnTopIsStillSeen() throws Exception {
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assumeTrue(StatxProbe.uniqueMountId(dir).isPresent(), "the kernel has no unique mount ids (before Linux 6.8): the table decides");
        long started = processes();
        int reads = tableReads.get();
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2"));
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm3"));
        assertEquals(reads, tableReads.get(), "no mount-table read on the hot path");
        assertEquals(started, processes(), "no process on the hot path");

        run("/usr/bin/mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString());
        Files.write(dir.resolve(VOLUME1), new byte[0]); // a volume file there too: only the file system gives it away
        UnsafePathException refused = assertThrows(UnsafePathException.class,
                () -> engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm4")));
        assertTrue(refused.getMessage().contains("another file system type"), refused.getMessage());
        assertFalse(engine.isAttached(new Attachment(VOLUME1, "vm4")));

        run("/usr/bin/umount", dir.toString());
        reads = tableReads.get();
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm5"));
        assertEquals(reads, tableReads.get(), "the recorded mount is on top again");
        assertEquals(started, processes());
        assertEquals(4, engine.attachmentCount());
    }
}
