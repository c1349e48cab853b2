package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.libvirt.internal.DomainScan.ScannedDomain;
import org.volumedriver.libvirt.internal.Reconciliation.Drift;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.GuestRef;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDrivers;

/**
 * The decisions of one reconciliation over scripted views of the hypervisor: what libvirt answers
 * changes between the first look and the look right before a release, and the source checks that
 * keep paths from ever reaching a driver.
 */
class ReconciliationTest {

    static final GuestRef GUEST = new GuestRef("0b7c5a64-31d2-4c0e-9f57-2d4b3f1b9e10", "vm1");
    static final String VOLUME = "volume-1";

    final FakeVolumeDriver fake = new FakeVolumeDriver("fake");
    final Attachment attachment = new Attachment(VOLUME, "vm1");

    String connected() throws Exception {
        fake.connect(ConnectionInfo.fromMap(Map.of("driver_volume_type", "fake", "data", Map.of("export", "h/v", "name", VOLUME))),
                attachment);
        return FakeVolumeDriver.directory("h/v");
    }

    static ScannedDomain using(String file) {
        return new ScannedDomain(GUEST, List.of(new DomainXml.DiskSources("file", Optional.of(file), true, List.of())), Optional.empty());
    }

    static Reconciliation.Domains answers(List<List<ScannedDomain>> views) {
        Deque<List<ScannedDomain>> left = new ArrayDeque<>(views);
        return () -> left.size() > 1 ? left.poll() : left.peek();
    }

    static ReconcileRow only(List<ReconcileRow> rows) {
        assertEquals(1, rows.size(), rows.toString());
        return rows.get(0);
    }

    @Test
    void confirmedDriftThatAGuestUsesAtTheLastLookIsNotReleased() throws Exception {
        String dir = connected();
        Drift seen = new Drift("fake", dir, attachment);
        Reconciliation run = new Reconciliation(FakeVolumeDrivers.of(fake), answers(List.of(List.of(), List.of(using(dir + "/" + VOLUME)))),
                false, true, Set.of(seen));
        Reconciliation.Result result = run.run();
        ReconcileRow row = only(result.rows());
        assertEquals(ReconcileAction.UNTOUCHED, row.action());
        assertEquals("in guest vm1 (" + GUEST.uuid() + ") now", row.reason());
        assertEquals(Set.of(), result.drift());
        assertEquals(List.of(), fake.adoptsAndReleases());
        assertTrue(fake.isAttached(attachment));
    }

    @Test
    void confirmedDriftIsKeptWhileADomainCannotBeRead() throws Exception {
        String dir = connected();
        ScannedDomain unreadable = new ScannedDomain(GUEST, List.of(), Optional.of("domain XML refused"));
        Reconciliation run = new Reconciliation(FakeVolumeDrivers.of(fake), answers(List.of(List.of(unreadable))), false, true,
                Set.of(new Drift("fake", dir, attachment)));
        List<ReconcileRow> rows = run.run().rows();
        assertEquals(List.of(ReconcileAction.DRIFT_KEPT, ReconcileAction.REJECTED), rows.stream().map(ReconcileRow::action).toList());
        assertTrue(rows.get(0).reason().contains("not released while a domain cannot be read"), rows.toString());
        assertTrue(fake.isAttached(attachment));
    }

    @Test
    void sourcesThatNeverReachADriver() {
        for (String bad : new String[] {"", "volume-1", "./volume-1", "/m/../etc/shadow", "/m/..", "/m/x\n/y", "/m/\u0000", "/" + "a".repeat(4096)}) {
            assertTrue(Reconciliation.refusal(bad).isPresent(), bad);
        }
        for (String good : new String[] {"/m/h/volume-1", "/m//h/./volume-1", "/m/h/volume-1/", "/m/h/..volume", "/m/h/vol..ume"}) {
            assertEquals(Optional.empty(), Reconciliation.refusal(good), good);
        }
    }
}
