package org.volumedriver.shell.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDrivers;

public class DriverLookupTest {

    public static ConnectionInfo info(String type, String export, String name) throws Exception {
        return ConnectionInfo.fromJson("{\"driver_volume_type\":\"" + type + "\",\"data\":{\"export\":\"" + export
                + "\",\"name\":\"" + name + "\"}}");
    }

    @Test
    void findsDriversThroughTheRegistry() throws Exception {
        FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
        FakeVolumeDriver nfs = new FakeVolumeDriver("nfs");
        DriverLookup lookup = DriverLookup.of(FakeVolumeDrivers.of(quobyte, nfs));
        assertEquals(new TreeSet<>(List.of("nfs", "quobyte")), lookup.types());
        assertSame(quobyte, lookup.driver("quobyte"));
        assertSame(nfs, lookup.driverFor(info("nfs", "h/v", "volume-1")));
        assertEquals(List.of("nfs", "quobyte"), List.copyOf(lookup.drivers().keySet()));
    }

    @Test
    void anUnknownTypeIsTypedAndListsTheAvailableOnes() {
        DriverLookup lookup = DriverLookup.of(FakeVolumeDrivers.of(new FakeVolumeDriver("quobyte")));
        UnknownDriverException e = assertThrows(UnknownDriverException.class, () -> lookup.driver("Quobyte"));
        assertEquals("UNKNOWN_DRIVER", e.code());
        assertEquals(List.of("quobyte"), e.available());
        assertThrows(UnknownDriverException.class, () -> DriverLookup.of(FakeVolumeDrivers.of()).driver("quobyte"));
    }

    @Test
    void theRegistryWinsWhenItIsThere() throws Exception {
        FakeVolumeDriver preferred = new FakeVolumeDriver("quobyte");
        VolumeDrivers registry = new VolumeDrivers() {
            @Override
            public VolumeDriver driver(String type) throws UnknownDriverException {
                if (type.equals("quobyte")) {
                    return preferred;
                }
                throw new UnknownDriverException(type, types());
            }

            @Override
            public SortedSet<String> types() {
                return new TreeSet<>(List.of("quobyte"));
            }
        };
        DriverLookup lookup = DriverLookup.of(registry);
        assertSame(preferred, lookup.driver("quobyte"));
        assertThrows(UnknownDriverException.class, () -> lookup.driver("nfs"));
    }

    @Test
    void withoutTheRegistryTheServiceIsUnavailable() {
        ServiceUnavailableException e = assertThrows(ServiceUnavailableException.class, () -> DriverLookup.of(null));
        assertEquals("no volume driver registry service is registered; is its bundle installed and active?", e.getMessage());
        assertEquals("Error [SERVICE_UNAVAILABLE]: " + e.getMessage(), ShellErrors.line(e));
    }

    @Test
    void mountsAreSortedByDriverThenDirectoryAndCanBeRestricted() throws Exception {
        FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
        FakeVolumeDriver nfs = new FakeVolumeDriver("nfs");
        quobyte.connect(info("quobyte", "b/v", "volume-1"), new Attachment("volume-1", "vm1"));
        quobyte.connect(info("quobyte", "a/v", "volume-2"), new Attachment("volume-2", "vm1"));
        nfs.connect(info("nfs", "c/v", "volume-3"), new Attachment("volume-3", "vm2"));
        DriverLookup lookup = DriverLookup.of(FakeVolumeDrivers.of(quobyte, nfs));

        List<MountStatus> all = lookup.mounts(Optional.empty());
        assertEquals(3, all.size());
        assertEquals("nfs", all.get(0).driverType());
        assertEquals(List.of(all.get(1).mountDirectory(), all.get(2).mountDirectory()).stream().sorted().toList(),
                List.of(all.get(1).mountDirectory(), all.get(2).mountDirectory()));
        assertEquals(2, lookup.mounts(Optional.of("quobyte")).size());
        assertThrows(UnknownDriverException.class, () -> lookup.mounts(Optional.of("iscsi")));
    }
}
