package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.quobyte.ConnectionMismatchException;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.quobyte.HealStep.Action;
import org.volumedriver.quobyte.HealStep.Outcome;
import org.volumedriver.quobyte.QuobyteMount;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Cutting a hung client loose (D4–D6) on the fake mounter and FUSE control: the connection is
 * recorded and journaled, a forced heal aborts it before anything else, and nothing is aborted that
 * is not a hung mount this driver made or adopted.
 */
class HungClientHealTest extends FakeHostFixture {

    Fakes.Fuse fuse;

    @BeforeEach
    void setUp() {
        fuse = new Fakes.Fuse(mounter);
    }

    /** Every engine here has the fake FUSE control file system, so that a heal can abort. */
    @Override
    QuobyteEngine engine(Settings.Builder settings) throws VolumeDriverException {
        return engineBuilder().fuse(fuse).settings(settings).start();
    }

    /** A connect that mounts; the volume file appears with every fresh mount, and the new mount answers. */
    QuobyteEngine connected(Settings.Builder b) throws VolumeDriverException {
        mounter.afterMount = () -> {
            probe.results.remove(dir);
            writeEmpty(dir.resolve(VOLUME1));
        };
        QuobyteEngine e = engine(b);
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        return e;
    }

    static List<Action> actions(HealReport r) {
        return r.steps().stream().map(HealStep::action).toList();
    }

    static Outcome outcome(HealReport r, Action a) {
        return r.steps().stream().filter(s -> s.action() == a).findFirst().orElseThrow(() -> new AssertionError(a + " missing")).outcome();
    }

    @Test
    void theConnectionOfAMountIsRecordedJournaledAndListed() throws Exception {
        QuobyteEngine e = connected(settings());
        FuseConnection c = table.connectionAt(dir);
        fuse.mounted = true;
        fuse.waiting.put(c.number(), 3L);
        QuobyteMount listed = e.mountDetails().get(0);
        assertEquals(OptionalLong.of(c.number()), listed.connection());
        assertEquals(OptionalLong.of(3), listed.waiting());
        assertEquals(MountState.HEALTHY, listed.status().state());
        e.close();
        String journal = Files.readString(base.resolve(".volumedriver/attachments.journal"));
        assertTrue(journal.contains("C " + dir.getFileName() + " " + c.device() + " " + table.uniqueIdAt(dir.toString()).getAsLong() + "\n"),
                journal);

        // a new engine recovers the connection: it is what a forced heal aborts
        assertEquals(c, abortedByAForcedHealOf(engine()));
    }

    /** @return the connection a forced heal of the (hung) mount aborts */
    FuseConnection abortedByAForcedHealOf(QuobyteEngine e) throws VolumeDriverException {
        probe.results.put(dir, ProbeResult.timeout(100));
        fuse.aborts.clear();
        e.healReport(dir.toString(), true);
        assertEquals(1, fuse.aborts.size());
        return fuse.aborts.get(0);
    }

    @Test
    void aForcedHealOfAHungClientAbortsItsConnectionBeforeUnmountingThenEndsTheScopeAndRemounts() throws Exception {
        QuobyteEngine e = connected(settings());
        mounter.scoped = true;
        FuseConnection hung = table.connectionAt(dir);
        probe.results.put(dir, ProbeResult.timeout(100));
        mounter.busy.add(dir.toString()); // a guest still holds its file: the normal unmount is refused
        int before = mounter.calls.size();

        HealReport r = e.healReport(dir.toString(), true);

        assertEquals(MountState.HEALTHY, r.status().state());
        assertEquals(List.of(Action.ABORT, Action.UNMOUNT, Action.LAZY_UNMOUNT, Action.END_SCOPE, Action.REMOUNT), actions(r));
        assertEquals(List.of(Outcome.DONE, Outcome.FAILED, Outcome.DONE, Outcome.DONE, Outcome.DONE),
                r.steps().stream().map(HealStep::outcome).toList(), r.steps().toString());
        assertEquals(List.of(hung), fuse.aborts);
        assertEquals(List.of("fuse.abort", "umount", "umount", "scope.stop", "mount.quobyte"),
                mounter.calls.subList(before, mounter.calls.size()).stream().map(Fakes.Call::command).toList(),
                "the abort comes first: after a lazy unmount the connection is no longer in the table");
        assertTrue(r.steps().get(0).detail().contains("fusectl mounted"), r.steps().get(0).detail());
        assertEquals(1, fuse.controlMounts.get());
        assertEquals(1L, e.counterSnapshot().get("heal.abort.done"));
        assertEquals(1L, e.counterSnapshot().get("heal.lazy.unmount.done"));
        assertEquals(1L, e.counterSnapshot().get("heal.remount.done"));

        // the fresh mount's connection replaces the old one, also in the journal
        FuseConnection fresh = table.connectionAt(dir);
        assertFalse(fresh.equals(hung));
        assertTrue(r.steps().get(4).detail().contains(fresh.toString()), r.steps().get(4).detail());
        e.close();
        assertEquals(fresh, abortedByAForcedHealOf(engine()), "the journal recorded the new connection");
    }

    @Test
    void aDeadClientNeedsNoAbort() throws Exception {
        QuobyteEngine e = connected(settings());
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        HealReport r = e.healReport(dir.toString(), true);
        assertEquals(List.of(Action.ABORT, Action.UNMOUNT, Action.LAZY_UNMOUNT, Action.END_SCOPE, Action.REMOUNT), actions(r),
                "each step once, in order");
        assertEquals(Outcome.NOT_NEEDED, outcome(r, Action.ABORT));
        assertEquals(Outcome.DONE, outcome(r, Action.UNMOUNT));
        assertEquals(Outcome.NOT_NEEDED, outcome(r, Action.LAZY_UNMOUNT));
        assertEquals(Outcome.SKIPPED, outcome(r, Action.END_SCOPE), "mounts do not run in scopes here");
        assertEquals(Outcome.DONE, outcome(r, Action.REMOUNT));
        assertTrue(fuse.aborts.isEmpty());
        assertEquals(0, fuse.controlMounts.get(), "nothing privileged ran for the abort");
    }

    @Test
    void aHealthyMountIsNeverAborted() throws Exception {
        QuobyteEngine e = connected(settings());
        int before = mounter.calls.size();
        HealReport r = e.healReport(dir.toString(), true);
        assertEquals(MountState.HEALTHY, r.status().state());
        assertEquals(List.of(), r.steps());
        assertTrue(fuse.aborts.isEmpty());
        assertEquals(before, mounter.calls.size());
    }

    @Test
    void anotherFileSystemOrAMountWithoutARecordIsNeverAborted() throws Exception {
        QuobyteEngine e = engine();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        table.mount(dir.toString(), "fuse.sshfs", "user@host:/");
        probe.results.put(dir, ProbeResult.timeout(100));
        assertThrows(UnsafePathException.class, () -> e.healReport(dir.toString(), true));
        assertTrue(mounter.calls.isEmpty());
        table.unmount(dir.toString());

        // a hung Quobyte client another agent mounted with the same layout: no record, not adopted
        table.mountQuobyte(dir.toString(), EXPORT);
        HealReport r = e.healReport(dir.toString(), true);
        assertEquals(Outcome.SKIPPED, outcome(r, Action.ABORT));
        assertTrue(r.steps().get(0).detail().contains("neither made nor adopted"), r.steps().get(0).detail());
        assertTrue(fuse.aborts.isEmpty());
        assertFalse(table.isMounted(dir.toString()), "it is still unmounted, as before");
    }

    @Test
    void aMountRemountedBehindOurBackIsRefusedWithATypedErrorAndNothingRuns() throws Exception {
        QuobyteEngine e = connected(settings());
        FuseConnection ours = table.connectionAt(dir);
        // someone detaches our mount and mounts another client on the directory
        table.unmount(dir.toString());
        table.mountQuobyte(dir.toString(), EXPORT);
        FuseConnection theirs = table.connectionAt(dir);
        probe.results.put(dir, ProbeResult.timeout(100));
        int before = mounter.calls.size();

        ConnectionMismatchException ex = assertThrows(ConnectionMismatchException.class, () -> e.healReport(dir.toString(), true));
        assertEquals("CONNECTION_MISMATCH", ex.code());
        assertEquals(ours.number(), ex.recorded());
        assertEquals(theirs.number(), ex.mounted());
        assertFalse(ex.getMessage().contains("\n"));
        assertEquals(before, mounter.calls.size(), "nothing aborted, nothing unmounted");
        assertTrue(table.isMounted(dir.toString()));
        assertEquals(1L, e.counterSnapshot().get("failures.CONNECTION_MISMATCH"));
        assertTrue(e.mountDetails().get(0).status().detail().contains("remounted behind"), e.mountDetails().get(0).status().detail());

        // the watchdog leaves it alone as well
        e.watchdogScan();
        assertEquals(before, mounter.calls.size());
        assertEquals(1L, e.counterSnapshot().get("watchdog.connection.mismatch"));
    }

    @Test
    void aRemountThatReusedTheConnectionNumberIsToldApartByTheKernelsUniqueMountId() throws Exception {
        QuobyteEngine e = connected(settings());
        FuseConnection ours = table.connectionAt(dir);
        table.remountReusingTheNumbers(dir.toString(), EXPORT);
        assertEquals(ours, table.connectionAt(dir), "the table cannot tell them apart");
        probe.results.put(dir, ProbeResult.timeout(100));
        int before = mounter.calls.size();
        ConnectionMismatchException ex = assertThrows(ConnectionMismatchException.class, () -> e.healReport(dir.toString(), true));
        assertTrue(ex.getMessage().contains("its number now serves another mount"), ex.getMessage());
        assertEquals(before, mounter.calls.size());
        assertTrue(fuse.aborts.isEmpty());
    }

    @Test
    void withTheAbortSwitchedOffAHungClientIsOnlyDetached() throws Exception {
        QuobyteEngine e = connected(settings().healAbort(false));
        probe.results.put(dir, ProbeResult.timeout(100));
        HealReport r = e.healReport(dir.toString(), true);
        assertEquals(Outcome.SKIPPED, outcome(r, Action.ABORT));
        assertEquals("heal.abort is off", r.steps().get(0).detail());
        assertTrue(fuse.aborts.isEmpty());
        assertEquals("false", e.settings().describe().get("heal.abort"));
    }

    @Test
    void aConnectThatHealsAnIdleHungMountAbortsItToo() throws Exception {
        QuobyteEngine e = engine();
        // an idle mount this driver made earlier (a disconnect whose unmount was refused)
        mounter.afterMount = () -> {
            probe.results.remove(dir);
            writeEmpty(dir.resolve(VOLUME1));
        };
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        mounter.busy.add(dir.toString());
        e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        mounter.busy.clear();
        FuseConnection hung = table.connectionAt(dir);
        probe.results.put(dir, ProbeResult.timeout(100));
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2"));
        assertEquals(List.of(hung), fuse.aborts);
        assertEquals(1L, e.counterSnapshot().get("heals"));
    }

    @Test
    void requestsUnansweredAcrossTwoScansReportAMountInUseAsHungWithoutAProbe() throws Exception {
        QuobyteEngine e = connected(settings());
        FuseConnection c = table.connectionAt(dir);
        fuse.waiting.put(c.number(), 2L);
        e.watchdogScan();
        assertEquals(1, fuse.controlMounts.get(), "the watchdog mounts fusectl to read the counts");
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state(), "one sample says nothing");

        // progress: fewer waiting than before
        fuse.waiting.put(c.number(), 1L);
        e.watchdogScan();
        assertEquals(0L, e.counterSnapshot().getOrDefault("watchdog.hung", 0L));

        fuse.waiting.put(c.number(), 1L);
        int probes = probe.probes.get();
        e.watchdogScan();
        assertEquals(probes, probe.probes.get(), "reported without a probe");
        assertEquals(1L, e.counterSnapshot().get("watchdog.hung"));
        assertEquals(1L, e.counterSnapshot().get("watchdog.stale.in.use"));
        QuobyteMount m = e.mountDetails().get(0);
        // the listing probes again (the fake answers): the watchdog's verdict shows in its state until then
        assertTrue(fuse.aborts.isEmpty(), "in use: only reported");
        assertTrue(table.isMounted(dir.toString()));
        assertEquals(OptionalLong.of(1), m.waiting());
    }

    @Test
    void anIdleMountWhoseRequestsStayUnansweredIsHealedOnceItsProbeAgrees() throws Exception {
        QuobyteEngine e = connected(settings());
        mounter.busy.add(dir.toString());
        e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")); // idle, BUSY
        mounter.busy.clear();
        FuseConnection c = table.connectionAt(dir);
        fuse.waiting.put(c.number(), 4L);
        probe.results.put(dir, ProbeResult.timeout(100));
        e.watchdogScan();
        e.watchdogScan();
        assertEquals(List.of(c), fuse.aborts);
        assertFalse(table.isMounted(dir.toString()));
        assertEquals(1L, e.counterSnapshot().get("watchdog.heals"));
        assertEquals(1L, e.counterSnapshot().get("heal.abort.done"));
    }

    @Test
    void anIdleMountWithWaitingRequestsWhoseProbeAnswersIsNotAborted() throws Exception {
        QuobyteEngine e = connected(settings());
        FuseConnection c = table.connectionAt(dir);
        fuse.waiting.put(c.number(), 4L);
        mounter.busy.add(dir.toString());
        e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        e.watchdogScan();
        e.watchdogScan();
        assertTrue(fuse.aborts.isEmpty(), "a client that answers its probe is busy, not hung");
    }
}
