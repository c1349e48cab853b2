package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.libvirt.internal.VolumeAttacherTestDriverTest.fakeDriver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.TcgDomains;
import org.w3c.dom.Element;

/**
 * The persistent-definition fallback on libvirt's {@code test:///default} driver, which does not
 * implement device attach/detach (libvirt 9). The test driver keeps one state per process for as
 * long as a connection to it is open: this class holds one, so the attacher's own connections
 * (one per operation) see and change the same domains this test defines and inspects.
 */
class VolumeAttacherFallbackTest extends TestDriverFixture {

    private static final String VOLUME = VolumeAttacherTestDriverTest.VOLUME;
    private static final String SOURCE = "/var/lib/volumedriver/test/" + VOLUME;
    private static final String EXISTING = "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            + "<source file='/var/lib/images/root.img'/><target dev='vda' bus='virtio'/></disk>"
            // VIR_DOMAIN_XML_SECURE: a definition read without it has no password; defining that would lose it
            + "<graphics type='vnc' port='-1' passwd='s3cret'/>";

    private String name;

    @AfterEach
    void undefine() throws Exception {
        if (name == null) {
            return;
        }
        Domain dom = libvirt.domain(name);
        if (dom.isActive() == 1) {
            dom.destroy();
        }
        if (dom.isPersistent() == 1) {
            dom.undefine();
        }
    }

    private Domain define(boolean running) throws Exception {
        name = TcgDomains.uniqueName("fallback");
        Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named(name).devices(EXISTING).xml());
        dom.free();
        Domain tracked = libvirt.domain(name);
        if (running) {
            tracked.create();
        }
        return tracked;
    }

    private static VolumeAttacherImpl attacher(FakeVolumeDriver driver) {
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        drivers.addDriver(driver, Map.of("service.id", 1L, "volume.driver.type", driver.type()));
        return VolumeAttacherImpl.withSettings(drivers, new LibvirtSettings("test:///default", Duration.ofMillis(500), Duration.ofMillis(50),
                TestConfigs.policy(Map.of("source_types", new String[] {"fake=file"}))));
    }

    private static String inactive(Domain dom) throws LibvirtException {
        return dom.getXMLDesc(Guest.XML_INACTIVE | Guest.XML_SECURE);
    }

    private static List<Element> disksWith(String domainXml, String source) throws Exception {
        return LibvirtRoundTripTest.disks(domainXml).stream()
                .filter(d -> d.getElementsByTagName("source").getLength() == 1
                        && source.equals(((Element) d.getElementsByTagName("source").item(0)).getAttribute("file")))
                .toList();
    }

    private static String attribute(Element disk, String child, String attribute) {
        return ((Element) disk.getElementsByTagName(child).item(0)).getAttribute(attribute);
    }

    @Test
    void persistentAttachAndDetachEditTheDefinitionOfAStoppedDomain() throws Exception {
        Domain dom = define(false);
        String before = inactive(dom);
        FakeVolumeDriver driver = fakeDriver("fake");
        Attachment attachment = Attachment.of(VOLUME, "instance-1");
        VolumeAttacherImpl attacher = attacher(driver);

        AttachResult attached = attacher.attach(name, VolumeAttacherTestDriverTest.info("fake"), attachment, "vdb", "virtio", AttachMode.CONFIG);
        assertEquals(AttachMode.CONFIG, attached.mode());
        assertEquals(List.of("connect " + attachment), driver.connectsAndDisconnects());
        String after = inactive(dom);
        List<Element> disks = LibvirtRoundTripTest.disks(after);
        assertEquals(2, disks.size(), after);
        List<Element> added = disksWith(after, SOURCE);
        assertEquals(1, added.size(), after);
        assertEquals("vdb", attribute(added.get(0), "target", "dev"));
        assertEquals("virtio", attribute(added.get(0), "target", "bus"));
        assertEquals("raw", attribute(added.get(0), "driver", "type"));
        // libvirt's parser took the disk as written
        assertEquals(LibvirtRoundTripTest.canonical(Xml.parse(attached.diskXml()).getDocumentElement()),
                LibvirtRoundTripTest.canonical(added.get(0)));
        // nothing else changed: the other disk is there, and so is the secret libvirt hides without XML_SECURE
        assertEquals(1, disksWith(after, "/var/lib/images/root.img").size());
        assertEquals("s3cret", ((Element) Xml.parse(after).getElementsByTagName("graphics").item(0)).getAttribute("passwd"));
        assertEquals(Xml.parse(before).getElementsByTagName("uuid").item(0).getTextContent(),
                Xml.parse(after).getElementsByTagName("uuid").item(0).getTextContent());

        // attaching it again is refused before the volume is touched
        assertThrows(InvalidDiskSpecException.class, () -> attacher.attach(name, VolumeAttacherTestDriverTest.info("fake"),
                attachment, "vdc", "virtio", AttachMode.CONFIG));
        assertEquals(1, driver.connectsAndDisconnects().size());

        DetachResult detached = attacher.detach(name, VolumeAttacherTestDriverTest.info("fake"), attachment, AttachMode.CONFIG);
        assertEquals(DetachOutcome.DETACHED, detached.outcome());
        assertEquals(Optional.of(DisconnectOutcome.UNMOUNTED), detached.disconnect());
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
        String gone = inactive(dom);
        assertEquals(List.of(), disksWith(gone, SOURCE));
        assertEquals(1, LibvirtRoundTripTest.disks(gone).size(), gone);
        assertEquals("s3cret", ((Element) Xml.parse(gone).getElementsByTagName("graphics").item(0)).getAttribute("passwd"));
    }

    @Test
    void persistentAttachToARunningDomainChangesOnlyTheDefinition() throws Exception {
        Domain dom = define(true);
        FakeVolumeDriver driver = fakeDriver("fake");
        Attachment attachment = Attachment.of(VOLUME, "instance-1");
        attacher(driver).attach(name, VolumeAttacherTestDriverTest.info("fake"), attachment, "vdb", "virtio", AttachMode.CONFIG);
        assertEquals(1, disksWith(inactive(dom), SOURCE).size());
        assertEquals(List.of(), disksWith(dom.getXMLDesc(0), SOURCE), "a live attach is never imitated");
        assertEquals(1, dom.isActive());

        // the detach asked for everything, but only the definition has the disk: that part is done
        DetachResult detached = attacher(driver).detach(name, VolumeAttacherTestDriverTest.info("fake"), attachment,
                AttachMode.LIVE_AND_CONFIG);
        assertEquals(DetachOutcome.DETACHED, detached.outcome());
        assertEquals(List.of(), disksWith(inactive(dom), SOURCE));
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
    }

    @Test
    void aLiveAttachStillFailsAndUndoesTheConnect() throws Exception {
        for (AttachMode mode : new AttachMode[] {AttachMode.LIVE, AttachMode.LIVE_AND_CONFIG}) {
            Domain dom = define(true);
            String before = inactive(dom);
            FakeVolumeDriver driver = fakeDriver("fake");
            Attachment attachment = Attachment.of(VOLUME, "instance-1");
            HypervisorException e = assertThrows(HypervisorException.class,
                    () -> attacher(driver).attach(name, VolumeAttacherTestDriverTest.info("fake"), attachment, "vdb", "virtio", mode));
            assertEquals(Libvirt.VIR_ERR_NO_SUPPORT, e.errorCode(), mode + ": " + e.getMessage());
            assertEquals("attach", e.operation());
            assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects(), mode.toString());
            // not half-applied: the definition is as it was
            assertEquals(before, inactive(dom), mode.toString());
            assertEquals(List.of(), disksWith(dom.getXMLDesc(0), SOURCE));
            undefine();
            name = null;
        }
    }

    @Test
    void aLiveDetachIsNeverImitated() throws Exception {
        // the running guest has the disk from its definition
        String disk = DiskXml.write(DiskXml.check(TestConfigs.policy(Map.of("source_types", new String[] {"fake=file"})), "fake",
                fakeDriver("fake").describeDisk(VolumeAttacherTestDriverTest.info("fake")).toBuilder().target("vdb", "virtio").build(),
                w -> { }));
        name = TcgDomains.uniqueName("fallback");
        libvirt.connect().domainDefineXML(TcgDomains.named(name).devices(EXISTING + disk).xml()).free();
        Domain dom = libvirt.domain(name);
        dom.create();
        FakeVolumeDriver driver = fakeDriver("fake");
        Attachment attachment = Attachment.of(VOLUME, "instance-1");
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> attacher(driver).detach(name, VolumeAttacherTestDriverTest.info("fake"), attachment, AttachMode.LIVE));
        assertEquals(Libvirt.VIR_ERR_NO_SUPPORT, e.errorCode());
        assertEquals(List.of(), driver.connectsAndDisconnects(), "the volume stays connected while the guest may use it");
        assertEquals(1, disksWith(dom.getXMLDesc(0), SOURCE).size());
        assertEquals(1, disksWith(inactive(dom), SOURCE).size());

        // the persistent part alone is done; the running guest still has the disk, so the volume stays
        DetachResult configOnly = attacher(driver).detach(name, VolumeAttacherTestDriverTest.info("fake"), attachment, AttachMode.CONFIG);
        assertEquals(DetachOutcome.STILL_REFERENCED, configOnly.outcome());
        assertEquals(Optional.empty(), configOnly.disconnect());
        assertEquals(List.of(), disksWith(inactive(dom), SOURCE));
        assertEquals(1, disksWith(dom.getXMLDesc(0), SOURCE).size());
        assertEquals(List.of(), driver.connectsAndDisconnects());
    }

    @Test
    void aTransientDomainGetsNoDefinition() throws Exception {
        String transientName = TcgDomains.uniqueName("fallback-transient");
        Domain dom = libvirt.connect().domainCreateXML(TcgDomains.named(transientName).devices(EXISTING).xml(), 0);
        try {
            FakeVolumeDriver driver = fakeDriver("fake");
            Attachment attachment = Attachment.of(VOLUME, "instance-1");
            HypervisorException e = assertThrows(HypervisorException.class, () -> attacher(driver).attach(transientName,
                    VolumeAttacherTestDriverTest.info("fake"), attachment, "vdb", "virtio", AttachMode.CONFIG));
            assertEquals(Libvirt.VIR_ERR_NO_SUPPORT, e.errorCode());
            assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
            assertEquals(0, dom.isPersistent(), "the fallback must not make a transient domain persistent");
        } finally {
            dom.destroy();
            dom.free();
        }
    }

    @Test
    void aFallbackThatLibvirtRefusesUndoesTheConnect() throws Exception {
        Domain dom = define(false);
        String before = inactive(dom);
        FakeVolumeDriver driver = fakeDriver("fake");
        Attachment attachment = Attachment.of(VOLUME, "instance-1");
        // vda is taken: libvirt refuses the edited definition
        HypervisorException e = assertThrows(HypervisorException.class, () -> attacher(driver).attach(name,
                VolumeAttacherTestDriverTest.info("fake"), attachment, "vda", "virtio", AttachMode.CONFIG));
        assertEquals("define domain", e.operation());
        assertTrue(e.errorCode() > 0, "libvirt's numeric error: " + e.errorCode());
        assertEquals(Libvirt.VIR_ERR_NO_SUPPORT, ((HypervisorException) e.getSuppressed()[0]).errorCode());
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
        assertEquals(before, inactive(dom));
    }
}
