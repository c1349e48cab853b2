package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.UnsupportedFormatException;
import org.volumedriver.testsupport.FakeVolumeDriver;

/**
 * The attach flow against libvirt's in-process test driver, which defines domains but does not
 * implement device attach (libvirt 9): a real libvirt failure, so the undo path runs for real.
 */
class VolumeAttacherTestDriverTest {

    static final String VOLUME = "volume-6f2c1b7e-1d8a-4a7e-9c2f-0b3c8e1d5a11";

    /** Where the fake driver's volume files are, whatever the export. */
    static final Path VOLUMES = Path.of("/var/lib/volumedriver/test");

    @BeforeAll
    static void libvirtPresent() {
        Prerequisites.requireLibvirt();
    }

    static ConnectionInfo info(String type) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", type, "data", Map.of("export", "quobyte://h/v", "name", VOLUME)));
    }

    /**
     * @param type the driver type
     * @return a fake driver whose raw volume files are in {@link #VOLUMES}
     */
    static FakeVolumeDriver fakeDriver(String type) {
        return new FakeVolumeDriver(type, VOLUMES, "raw");
    }

    private final List<VolumeAttacherImpl> attachers = new java.util.ArrayList<>();

    private VolumeAttacherImpl attacher(FakeVolumeDriver driver) {
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        drivers.addDriver(driver, Map.of("service.id", 1L, "volume.driver.type", driver.type()));
        VolumeAttacherImpl attacher = VolumeAttacherImpl.withSettings(drivers, new LibvirtSettings("test:///default", Duration.ofMillis(500),
                Duration.ofMillis(50), TestConfigs.policy(Map.of("source_types", new String[] {"quobyte=file", "fake=file"}))));
        attachers.add(attacher);
        return attacher;
    }

    @org.junit.jupiter.api.AfterEach
    void deactivate() {
        // the kept test-driver connection goes; with the last one the test driver's state goes too
        attachers.forEach(VolumeAttacherImpl::deactivate);
    }

    @Test
    void whatOneOperationChangesTheNextOneSees() throws Exception {
        // the test driver's domains live in its connections: a connection per operation would forget the attach
        FakeVolumeDriver driver = fakeDriver("fake");
        VolumeAttacherImpl attacher = attacher(driver);
        Attachment attachment = Attachment.of(VOLUME, "instance-1");
        attacher.attach("test", info("fake"), attachment, "vdb", "virtio", AttachMode.CONFIG);
        assertTrue(attacher.connections().keepsOne());
        DetachResult result = attacher.detach("test", info("fake"), attachment, AttachMode.CONFIG);
        assertEquals(DetachOutcome.DETACHED, result.outcome());
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
        attacher.deactivate();
        assertEquals(1, attacher.connections().closedConnections());
        assertFalse(attacher.connections().keepsOne());
    }

    @Test
    void aReplacedTestConnectionClosesOnlyAfterItsLastOperation(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path node = java.nio.file.Files.writeString(tmp.resolve("node.xml"), "<node/>");
        TestDriverConnection connections = new TestDriverConnection();
        Libvirt first = connections.session("test:///default");
        Libvirt second = connections.session("test://" + node);
        assertEquals(0, connections.closedConnections(), "the first operation still uses its connection");
        assertTrue(first.connect().numOfDefinedDomains() >= 0, "and it still works");
        first.close();
        assertEquals(1, connections.closedConnections(), "closed with its last operation");
        second.close();
        assertEquals(1, connections.closedConnections(), "the current one is kept");
        connections.close();
        assertEquals(2, connections.closedConnections());
        assertFalse(TestDriverConnection.isTestDriver("qemu:///system"), "daemon-backed URIs get a connection per operation");
    }

    @Test
    void aFailedAttachDisconnectsTheVolumeAgain() throws Exception {
        FakeVolumeDriver driver = fakeDriver("fake");
        Attachment attachment = Attachment.of(VOLUME, "instance-1");
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> attacher(driver).attach("test", info("fake"), attachment, "vdb", "virtio", AttachMode.LIVE));
        assertEquals("attach", e.operation());
        assertEquals(3, e.errorCode(), "VIR_ERR_NO_SUPPORT from the test driver: " + e.getMessage());
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
    }

    @Test
    void attachesToOneDomainDoNotInterleave() throws Exception {
        FakeVolumeDriver driver = fakeDriver("fake");
        java.util.concurrent.CountDownLatch connects = driver.holdConnects();
        VolumeAttacherImpl attacher = attacher(driver);
        Attachment first = Attachment.of(VOLUME, "instance-1");
        Attachment second = Attachment.of(VOLUME, "instance-2");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<?> a = pool.submit(() -> attacher.attach("test", info("fake"), first, "vdb", "virtio", AttachMode.LIVE));
            while (driver.connectsAndDisconnects().isEmpty()) {
                Thread.sleep(5);
            }
            Thread[] secondThread = new Thread[1];
            java.util.concurrent.Future<?> b = pool.submit(() -> {
                secondThread[0] = Thread.currentThread();
                return attacher.attach("test", info("fake"), second, "vdc", "virtio", AttachMode.LIVE);
            });
            // the second attach must wait for the first one's whole connect-attach-undo sequence
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while ((secondThread[0] == null || secondThread[0].getState() != Thread.State.WAITING) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(Thread.State.WAITING, secondThread[0].getState());
            assertEquals(List.of("connect " + first), driver.connectsAndDisconnects());
            connects.countDown();
            assertThrows(java.util.concurrent.ExecutionException.class, a::get);
            assertThrows(java.util.concurrent.ExecutionException.class, b::get);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("connect " + first, "disconnect " + first, "connect " + second, "disconnect " + second),
                driver.connectsAndDisconnects());
    }

    @Test
    void aFailedAttachLeavesAnAttachmentThatWasConnectedBefore() throws Exception {
        FakeVolumeDriver driver = fakeDriver("fake");
        Attachment attachment = Attachment.of(VOLUME, "instance-1");
        driver.connectedEarlier(info("fake"), attachment);
        assertThrows(HypervisorException.class,
                () -> attacher(driver).attach("test", info("fake"), attachment, "vdb", "virtio", AttachMode.LIVE));
        // the repeated connect is harmless; disconnecting would take the volume from its first user
        assertEquals(List.of("connect " + attachment), driver.connectsAndDisconnects());
    }

    @Test
    void aRefusedDiskNeverConnects() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake", Path.of("/var/lib/x"), "vmdk");
        assertThrows(UnsupportedFormatException.class,
                () -> attacher(driver).attach("test", info("fake"), Attachment.of(VOLUME, "i"), "vdb", "virtio", AttachMode.LIVE));
        assertEquals(List.of(), driver.connectsAndDisconnects());
    }

    @Test
    void aRefusedTargetNeverConnects() throws Exception {
        FakeVolumeDriver driver = fakeDriver("fake");
        InvalidDiskSpecException e = assertThrows(InvalidDiskSpecException.class,
                () -> attacher(driver).attach("test", info("fake"), Attachment.of(VOLUME, "i"), "hda'/>", "virtio", AttachMode.LIVE));
        assertEquals("disk.target.dev", e.field());
        assertEquals(List.of(), driver.connectsAndDisconnects());
    }

    @Test
    void anUnknownDomainNeverConnects() throws Exception {
        FakeVolumeDriver driver = fakeDriver("fake");
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> attacher(driver).attach("no-such-domain", info("fake"), Attachment.of(VOLUME, "i"), "vdb", "virtio", AttachMode.LIVE));
        assertEquals(Libvirt.VIR_ERR_NO_DOMAIN, e.errorCode());
        assertEquals(List.of(), driver.connectsAndDisconnects());
    }

    @Test
    void aHostileDomainNameIsRefused() throws Exception {
        FakeVolumeDriver driver = fakeDriver("fake");
        InvalidDiskSpecException e = assertThrows(InvalidDiskSpecException.class,
                () -> attacher(driver).attach("../x", info("fake"), Attachment.of(VOLUME, "i"), "vdb", "virtio", AttachMode.LIVE));
        assertEquals("domain", e.field());
        assertEquals(List.of(), driver.connectsAndDisconnects());
    }

    @Test
    void anUnknownDriverTypeListsTheAvailableOnes() throws Exception {
        FakeVolumeDriver driver = fakeDriver("fake");
        UnknownDriverException e = assertThrows(UnknownDriverException.class,
                () -> attacher(driver).attach("test", info("iscsi"), Attachment.of(VOLUME, "i"), "vdb", "virtio", AttachMode.LIVE));
        assertEquals(List.of("fake"), e.available());
    }

    @Test
    void detachingADiskTheDomainDoesNotHaveJustDisconnects() throws Exception {
        FakeVolumeDriver driver = fakeDriver("fake");
        Attachment attachment = Attachment.of(VOLUME, "i");
        driver.connectedEarlier(info("fake"), attachment);
        DetachResult result = attacher(driver).detach("test", info("fake"), attachment, AttachMode.LIVE_AND_CONFIG);
        assertEquals(DetachOutcome.NOT_ATTACHED, result.outcome());
        assertEquals(Optional.of(DisconnectOutcome.UNMOUNTED), result.disconnect());
        assertEquals(List.of("disconnect " + attachment), driver.connectsAndDisconnects());
    }
}
