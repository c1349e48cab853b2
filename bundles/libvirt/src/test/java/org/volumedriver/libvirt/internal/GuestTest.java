package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.internal.Guest.View;
import org.volumedriver.libvirt.testing.DefinedDomains;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.testsupport.TcgDomains;

/**
 * {@link Guest} on libvirt's in-process {@code test:///default} driver: libvirt's failures come
 * out as {@link HypervisorException}s naming the operation, with libvirt's own error number and
 * the libvirt-java exception as the cause.
 */
class GuestTest extends TestDriverFixture {

    private static final String SOURCE = "/var/lib/volumedriver/test/guest-test.img";

    private String name;

    @AfterEach
    void undefine() {
        if (name != null) {
            DefinedDomains.remove(libvirt.connect(), name);
        }
    }

    private Guest define(boolean running) throws Exception {
        name = TcgDomains.uniqueName("guest");
        Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named(name).xml());
        if (running) {
            dom.create();
        }
        dom.free();
        return libvirt.guest(name);
    }

    private static CheckedDisk disk() throws Exception {
        DiskSpec spec = DiskSpec.builder().sourceType("file").sourcePath(SOURCE).format("raw").target("vdb", "virtio").build();
        return CheckedDisk.check(TestConfigs.policy(Map.of("source_types", new String[] {"fake=file"})), "fake", spec);
    }

    private static void assertLibvirtError(HypervisorException e, String operation, int code) {
        assertEquals(operation, e.operation(), e.getMessage());
        assertEquals(code, e.errorCode(), e.getMessage());
        assertInstanceOf(LibvirtException.class, e.getCause());
    }

    @Test
    void anUnknownDomainIsLibvirtsNoDomainError() {
        HypervisorException e = assertThrows(HypervisorException.class, () -> libvirt.guest("no-such-domain"));
        assertLibvirtError(e, "look up domain 'no-such-domain'", Libvirt.VIR_ERR_NO_DOMAIN);
    }

    @Test
    void aDomainThatWentAwayFailsEveryQueryWithItsNumber() throws Exception {
        Guest guest = define(false);
        assertFalse(guest.isActive());
        assertTrue(guest.isPersistent());
        Domain other = libvirt.connect().domainLookupByName(name);
        other.undefine();
        other.free();
        assertLibvirtError(assertThrows(HypervisorException.class, guest::isActive), "query domain state", Libvirt.VIR_ERR_NO_DOMAIN);
        assertLibvirtError(assertThrows(HypervisorException.class, guest::isPersistent), "query domain persistence",
                Libvirt.VIR_ERR_NO_DOMAIN);
        assertLibvirtError(assertThrows(HypervisorException.class, () -> guest.disk(View.LIVE, SOURCE)), "read domain XML",
                Libvirt.VIR_ERR_NO_DOMAIN);
        assertLibvirtError(assertThrows(HypervisorException.class, () -> guest.editDefinition("attach", d -> d)), "read domain XML",
                Libvirt.VIR_ERR_NO_DOMAIN);
    }

    @Test
    void aLiveDeviceChangeTheDriverDoesNotImplementKeepsLibvirtsNumber() throws Exception {
        Guest guest = define(true);
        CheckedDisk disk = disk();
        assertLibvirtError(assertThrows(HypervisorException.class, () -> guest.attach(disk, AttachMode.LIVE)), "attach",
                Libvirt.VIR_ERR_NO_SUPPORT);
        DomainXml.Disk named = new DomainXml.Disk("file", "disk", Optional.of(SOURCE), "vdb", Optional.of("virtio"));
        assertLibvirtError(assertThrows(HypervisorException.class,
                () -> guest.detach(named, Optional.of(named), SOURCE, AttachMode.LIVE_AND_CONFIG)), "detach", Libvirt.VIR_ERR_NO_SUPPORT);
        assertEquals(Optional.empty(), guest.disk(View.LIVE, SOURCE));
        assertEquals(Optional.empty(), guest.disk(View.PERSISTENT, SOURCE));
    }

    @Test
    void aPersistentAttachChangesOnlyTheDefinition() throws Exception {
        Guest guest = define(true);
        guest.attach(disk(), AttachMode.CONFIG);
        assertEquals("vdb", guest.disk(View.PERSISTENT, SOURCE).orElseThrow().targetDev());
        assertEquals(Optional.empty(), guest.disk(View.LIVE, SOURCE));
    }

    @Test
    void aRefusedEditIsAFailureOfTheOperationWithoutANumber() throws Exception {
        Guest guest = define(false);
        HypervisorException e = assertThrows(HypervisorException.class, () -> guest.editDefinition("attach", d -> {
            throw new DomainXml.EditException("no <devices>", null);
        }));
        assertEquals("attach", e.operation());
        assertEquals(-1, e.errorCode());
        assertInstanceOf(DomainXml.EditException.class, e.getCause());
    }

    @Test
    void aDefinitionLibvirtRefusesKeepsLibvirtsNumber() throws Exception {
        Guest guest = define(false);
        HypervisorException e = assertThrows(HypervisorException.class, () -> guest.editDefinition("attach", d -> "<domain/>"));
        assertEquals("define domain", e.operation());
        assertTrue(e.errorCode() > 0, "libvirt's numeric error: " + e.errorCode());
        assertInstanceOf(LibvirtException.class, e.getCause());
    }
}
