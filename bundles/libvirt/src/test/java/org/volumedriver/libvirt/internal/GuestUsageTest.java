package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Domain;
import org.volumedriver.libvirt.internal.DomainScan.ScannedDomain;
import org.volumedriver.libvirt.testing.DefinedDomains;
import org.volumedriver.spi.GuestRef;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.testsupport.TcgDomains;

/**
 * The guest-usage check the drivers ask before an unmount, on libvirt's test driver: running,
 * defined and transient domains, backing files, paths compared by components; and every doubt
 * (libvirt unreachable, a domain that cannot be read) is an exception, never "nobody".
 */
class GuestUsageTest extends TestDriverFixture {

    static final Path MOUNT = Path.of("/var/lib/volumedriver/fake/mnt/0123abcd");

    final DefinedDomains domains = new DefinedDomains();
    LibvirtSessions sessions;

    @AfterEach
    void cleanUp() {
        domains.removeAll(libvirt.connect());
        if (sessions != null) {
            sessions.close();
        }
    }

    GuestUsageImpl usage(String uri) {
        sessions = LibvirtSessions.withSettings(new LibvirtSettings(uri, Duration.ofSeconds(1), Duration.ofMillis(50),
                TestConfigs.defaultPolicy()));
        return new GuestUsageImpl(sessions);
    }

    static String disk(String source, String dev) {
        return VolumeReconcilerTestDriverTest.fileDisk(source, dev);
    }

    GuestRef define(String prefix, String devices, boolean start, boolean persistent) throws Exception {
        String name = domains.add(TcgDomains.uniqueName(prefix));
        String xml = TcgDomains.named(name).devices(devices).xml();
        Domain domain = persistent ? libvirt.connect().domainDefineXML(xml) : libvirt.connect().domainCreateXML(xml, 0);
        try {
            if (start && persistent) {
                domain.create();
            }
            return new GuestRef(domain.getUUIDString(), name);
        } finally {
            domain.free();
        }
    }

    @Test
    void runningDefinedAndTransientGuestsAndBackingFilesCount() throws Exception {
        GuestRef stopped = define("stopped", disk(MOUNT + "/volume-1", "vdb"), false, true);
        GuestRef running = define("running", disk(MOUNT + "/./volume-2", "vdb"), true, true);
        GuestRef transientGuest = define("transient", disk("/images/root.img", "vda") + "\n"
                + "<disk type='file' device='disk'><source file='/images/overlay.qcow2'/><backingStore type='file'>"
                + "<format type='raw'/><source file='" + MOUNT + "/volume-3'/></backingStore><target dev='vdb' bus='virtio'/></disk>",
                true, false);
        define("sibling", disk(MOUNT + "x/volume-4", "vdb") + "\n" + disk(MOUNT.getParent() + "/volume-5", "vdc"), false, true);

        List<GuestRef> users = usage("test:///default").guestsUsing(MOUNT);
        assertEquals(List.of(running, stopped, transientGuest), users);

        Path unused = Path.of("/var/lib/volumedriver/fake/mnt/ffff");
        Map<Path, List<GuestRef>> both = usage("test:///default").guestsUsing(List.of(MOUNT, unused));
        assertEquals(Map.of(MOUNT, users, unused, List.of()), both);
    }

    @Test
    void aDirectoryMustBeAbsoluteAndNormalized() {
        GuestUsageImpl usage = usage("test:///default");
        for (String bad : new String[] {"relative/dir", "/a/../b", "/a/./b", "/"}) {
            assertThrows(IllegalArgumentException.class, () -> usage.guestsUsing(Path.of(bad)), bad);
        }
    }

    @Test
    void anUnreachableLibvirtIsAnExceptionNotAnEmptyAnswer(@org.junit.jupiter.api.io.TempDir Path tmp) {
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> usage("test://" + tmp.resolve("missing.xml")).guestsUsing(MOUNT));
        assertTrue(e.getMessage().startsWith("connect to test://"), e.getMessage());
    }

    @Test
    void aDomainThatCannotBeReadMakesTheAnswerUnknown() {
        GuestRef fine = new GuestRef("0b7c5a64-31d2-4c0e-9f57-2d4b3f1b9e10", "fine");
        GuestRef broken = new GuestRef("1b7c5a64-31d2-4c0e-9f57-2d4b3f1b9e10", "broken");
        List<ScannedDomain> scanned = List.of(new ScannedDomain(fine, List.of(), Optional.empty()),
                new ScannedDomain(broken, List.of(), Optional.of("domain XML refused: a DOCTYPE declaration is not accepted")));
        HypervisorException e = assertThrows(HypervisorException.class, () -> GuestUsageImpl.using(List.of(MOUNT), scanned));
        assertTrue(e.getMessage().contains("broken (1b7c5a64"), e.getMessage());
    }
}
