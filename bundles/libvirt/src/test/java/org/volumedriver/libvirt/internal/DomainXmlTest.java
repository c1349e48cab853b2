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
import org.volumedriver.testsupport.TcgDomains;

/** The domain XML reader: what it finds, and that DOCTYPE and entities never get through. */
class DomainXmlTest {

    @Test
    void findsTheDisksUnderDevices() throws Exception {
        String xml = TcgDomains.named("d").devices("""
                <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/a/b'/><target dev='vdb' bus='virtio'/></disk>
                <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='sdb' bus='scsi'/></disk>
                <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
                """).xml();
        List<DomainXml.Disk> disks = DomainXml.disks(xml);
        assertEquals(3, disks.size());
        assertEquals(new DomainXml.Disk("file", "disk", Optional.of("/a/b"), "vdb", Optional.of("virtio")), disks.get(0));
        assertEquals(Optional.of("/dev/sdz"), disks.get(1).source());
        assertEquals(Optional.empty(), disks.get(2).source());
    }

    @Test
    void diskSourcesNameEveryFileADiskUses() throws Exception {
        String xml = TcgDomains.named("d").devices("""
                <disk type='file' device='disk'><source file='/m/a/volume-1'><seclabel model='dac' relabel='no'/></source>
                  <backingStore type='file'><format type='qcow2'/><source file='/m/a/base-1'/>
                    <backingStore type='file'><source file='/m/a/base-0'/><backingStore/></backingStore></backingStore>
                  <mirror type='file' file='/m/b/copy' format='raw'><source file='/m/b/copy'/></mirror>
                  <target dev='vdb' bus='virtio'/></disk>
                <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='sdb' bus='scsi'/></disk>
                <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
                <disk type='file' device='disk'><source dev='/m/a/odd'/><target dev='vdc'/></disk>
                """).xml().replace("<devices>", "<metadata><disk type='file'><source file='/m/a/meta'/></disk></metadata><devices>");
        List<DomainXml.DiskSources> disks = DomainXml.diskSources(xml);
        assertEquals(4, disks.size(), disks.toString());
        assertEquals(new DomainXml.DiskSources("file", Optional.of("/m/a/volume-1"), true, List.of("/m/a/base-1", "/m/a/base-0", "/m/b/copy")),
                disks.get(0));
        assertEquals(new DomainXml.DiskSources("block", Optional.of("/dev/sdz"), false, List.of()), disks.get(1));
        assertEquals(Optional.empty(), disks.get(2).source());
        assertEquals(new DomainXml.DiskSources("file", Optional.of("/m/a/odd"), false, List.of()), disks.get(3), "a file disk naming a device");
        assertEquals(List.of("/m/a/volume-1", "/m/a/base-1", "/m/a/base-0", "/m/b/copy"), disks.get(0).allPaths());
        String doctype = "<!DOCTYPE domain [<!ENTITY x '/m/a/volume-1'>]><domain><devices><disk type='file'><source file='&x;'/></disk></devices></domain>";
        assertThrows(XMLStreamException.class, () -> DomainXml.diskSources(doctype));
        assertThrows(XMLStreamException.class, () -> DomainXml.diskSources("<network/>"));
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

    private static final String DEFINITION = """
            <domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
              <name>d</name>
              <metadata><disk type='file'><source file='/a/b'/><target dev='vdb'/></disk></metadata>
              <devices>
                <disk type='file' device='disk'><source file='/a/b'/><target dev='vdc'/></disk>
                <disk type='file' device='disk'><source file='/other'/><target dev='vdb'/></disk>
                <disk type='file' device='disk'><source file='/a/b'/><target dev='vdb' bus='virtio'/></disk>
                <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='sdb' bus='scsi'/></disk>
              </devices>
              <qemu:commandline><qemu:arg value='-S'/></qemu:commandline>
            </domain>
            """;

    @Test
    void aDiskIsAppendedUnderDevicesAndNothingElseChanges() throws Exception {
        String disk = "<disk type='file' device='disk'><source file='/new'/><target dev='vdd' bus='virtio'/></disk>";
        String out = DomainXml.withDisk(DEFINITION, disk);
        List<DomainXml.Disk> disks = DomainXml.disks(out);
        assertEquals(5, disks.size());
        assertEquals(new DomainXml.Disk("file", "disk", Optional.of("/new"), "vdd", Optional.of("virtio")), disks.get(4));
        assertEquals(DomainXml.disks(DEFINITION), disks.subList(0, 4));
        // namespaced elements (libvirt's qemu:commandline) survive with their namespace
        assertTrue(out.contains("xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\""), out);
        assertTrue(out.contains("<qemu:commandline><qemu:arg value=\"-S\"/></qemu:commandline>"), out);
        assertTrue(out.contains("<metadata><disk type=\"file\"><source file=\"/a/b\"/>"), out);
    }

    @Test
    void onlyTheDiskWithThatSourceAndTargetIsRemoved() throws Exception {
        String out = DomainXml.withoutDisk(DEFINITION, "/a/b", "vdb");
        List<DomainXml.Disk> before = DomainXml.disks(DEFINITION);
        assertEquals(List.of(before.get(0), before.get(1), before.get(3)), DomainXml.disks(out));
        // the look-alike in <metadata> is no device and stays
        assertTrue(out.contains("<metadata><disk type=\"file\"><source file=\"/a/b\"/><target dev=\"vdb\"/>"), out);
        assertEquals(List.of(before.get(0), before.get(1), before.get(2)), DomainXml.disks(DomainXml.withoutDisk(DEFINITION, "/dev/sdz", "sdb")));
        // same source on another target, or another source on that target: no match, nothing removed
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withoutDisk(DEFINITION, "/a/b", "vde"));
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withoutDisk(DEFINITION, "/nowhere", "vdb"));
    }

    @Test
    void theEditingReaderRefusesDoctypeAndEntities(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "/the/secret/path");
        String xxe = "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY xxe SYSTEM '" + secret.toUri() + "'>]>\n"
                + "<domain><devices><disk type='file' device='disk'><source file='&xxe;'/><target dev='vdb'/></disk></devices></domain>";
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withoutDisk(xxe, "/the/secret/path", "vdb"));
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withDisk(xxe, "<disk/>"));
        String billion = "<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
                + "<domain><devices/><description>&b;</description></domain>";
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withDisk(billion, "<disk/>"));
        // the disk to add is parsed the same way
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withDisk("<domain><devices/></domain>",
                "<!DOCTYPE disk SYSTEM '" + secret.toUri() + "'><disk/>"));
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withDisk("<domain><devices/></domain>", "<interface/>"));
    }

    @Test
    void aDefinitionWithoutDevicesIsRefused() {
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withDisk("<domain><name>d</name></domain>", "<disk/>"));
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withDisk("<network><devices/></network>", "<disk/>"));
        assertThrows(DomainXml.EditException.class, () -> DomainXml.withDisk("<domain><devices/><devices/></domain>", "<disk/>"));
    }
}
