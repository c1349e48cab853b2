package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import javax.xml.stream.XMLStreamException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The domain XML reader: what it finds, and that DOCTYPE and entities never get through. */
class DomainXmlTest {

    @Test
    void findsTheDisksUnderDevices() throws Exception {
        String xml = Xml.domain("d", """
                <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/a/b'/><target dev='vdb' bus='virtio'/></disk>
                <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='sdb' bus='scsi'/></disk>
                <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
                """);
        List<DomainXml.Disk> disks = DomainXml.disks(xml);
        assertEquals(3, disks.size());
        assertEquals(new DomainXml.Disk("file", "disk", Optional.of("/a/b"), "vdb", Optional.of("virtio")), disks.get(0));
        assertEquals(Optional.of("/dev/sdz"), disks.get(1).source());
        assertEquals(Optional.empty(), disks.get(2).source());
    }

    @Test
    void anExternalEntityIsNeverRead(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "/the/secret/path");
        String xxe = "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY xxe SYSTEM '" + secret.toUri() + "'>]>\n"
                + "<domain><devices><disk type='file' device='disk'><source file='&xxe;'/><target dev='vdb'/></disk></devices></domain>";
        XMLStreamException e = assertThrows(XMLStreamException.class, () -> DomainXml.disks(xxe));
        assertTrue(e.getMessage() != null);
    }

    @Test
    void aDoctypeWithoutEntitiesIsRefusedToo() {
        String xml = "<!DOCTYPE domain SYSTEM 'http://127.0.0.1:9/domain.dtd'><domain><devices/></domain>";
        assertThrows(XMLStreamException.class, () -> DomainXml.disks(xml));
    }

    @Test
    void internalEntityExpansionIsRefused() {
        String billion = "<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
                + "<domain><devices><disk><source file='&b;'/></disk></devices></domain>";
        assertThrows(XMLStreamException.class, () -> DomainXml.disks(billion));
    }

    @Test
    void theRootMustBeADomain() {
        assertThrows(XMLStreamException.class, () -> DomainXml.disks("<network/>"));
        assertThrows(XMLStreamException.class, () -> DomainXml.disks("<domain>"));
    }

    @Test
    void disksOutsideDevicesAreIgnored() throws Exception {
        String xml = "<domain><metadata><disk type='file'><source file='/fake'/><target dev='vdz'/></disk></metadata><devices/></domain>";
        assertEquals(List.of(), DomainXml.disks(xml));
    }
}
