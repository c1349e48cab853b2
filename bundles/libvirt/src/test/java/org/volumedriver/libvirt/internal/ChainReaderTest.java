package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import javax.xml.stream.XMLStreamException;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.libvirt.internal.ChainReader.LiveDisk;

/** The disks, serials and backing chains of a running guest's XML, as libvirt 9 writes them. */
class ChainReaderTest {

    static final String LIVE = """
            <domain type='kvm' id='3'>
              <name>g</name>
              <metadata><disk><source file='/not/a/device'/><serial>x</serial></disk></metadata>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='/var/lib/root.img' index='1'/>
                  <backingStore/>
                  <target dev='vda' bus='virtio'/>
                  <alias name='virtio-disk0'/>
                </disk>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2' cache='none' io='native'/>
                  <source file='/m/d/volume-1.s2' index='4'/>
                  <backingStore type='file' index='3'>
                    <format type='qcow2'/>
                    <source file='/m/d/volume-1.s1'/>
                    <backingStore type='file' index='2'>
                      <format type='raw'/>
                      <source file='/m/d/volume-1'/>
                      <backingStore/>
                    </backingStore>
                  </backingStore>
                  <mirror type='file' job='copy'><format type='raw'/><source file='/elsewhere/copy'/></mirror>
                  <target dev='vdb' bus='virtio'/>
                  <serial>0a1b2c3d</serial>
                </disk>
                <disk type='file' device='cdrom'>
                  <target dev='sda' bus='sata'/>
                  <readonly/>
                </disk>
                <channel type='unix'>
                  <source mode='bind' path='/run/agent.sock'/>
                  <target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>
                </channel>
              </devices>
            </domain>
            """;

    @Test
    void readsEachDisksChainActiveFirstAndItsSerial() throws Exception {
        List<LiveDisk> disks = ChainReader.disks(LIVE);
        assertEquals(3, disks.size());
        assertEquals(List.of(new ChainLink("/var/lib/root.img", "raw")), disks.get(0).chain());
        assertEquals(Optional.empty(), disks.get(0).serial());
        LiveDisk volume = disks.get(1);
        assertEquals("vdb", volume.targetDev());
        assertEquals(Optional.of("0a1b2c3d"), volume.serial());
        assertEquals(List.of(new ChainLink("/m/d/volume-1.s2", "qcow2"), new ChainLink("/m/d/volume-1.s1", "qcow2"),
                new ChainLink("/m/d/volume-1", "raw")), volume.chain(), "the mirror is not part of the chain");
        assertEquals(Optional.empty(), disks.get(2).source());
        assertEquals("cdrom", disks.get(2).device());
    }

    @Test
    void theGuestAgentMayAnswerUnlessLibvirtSaysItIsDisconnected() throws Exception {
        assertTrue(ChainReader.guestAgentMayAnswer(LIVE));
        assertTrue(ChainReader.guestAgentMayAnswer(LIVE.replace(" state='connected'", "")), "a driver that does not track it");
        assertFalse(ChainReader.guestAgentMayAnswer(LIVE.replace("state='connected'", "state='disconnected'")));
        assertFalse(ChainReader.guestAgentMayAnswer(LIVE.replace("org.qemu.guest_agent.0", "org.other")));
    }

    @Test
    void aDoctypeOrAnEntityIsRefused() {
        String doctype = "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>" + LIVE.replace("0a1b2c3d", "&x;");
        assertThrows(XMLStreamException.class, () -> ChainReader.disks(doctype));
        assertThrows(XMLStreamException.class, () -> ChainReader.guestAgentMayAnswer(doctype));
        assertThrows(XMLStreamException.class, () -> ChainReader.disks("<notadomain/>"));
    }

    @Test
    void aBackingStoreWithoutAFileIsALinkWithoutPath() throws Exception {
        String network = LIVE.replace("<source file='/m/d/volume-1'/>", "<source protocol='nbd' name='x'/>");
        LiveDisk volume = ChainReader.disks(network).get(1);
        assertEquals(new ChainLink("", "raw"), volume.chain().get(2));
    }
}
