package org.volumedriver.shell.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDrivers;

class CandidatesTest {

    @Test
    void offersWhatTheDriversReportNow() throws Exception {
        FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
        FakeVolumeDriver nfs = new FakeVolumeDriver("nfs");
        quobyte.connect(DriverLookupTest.info("quobyte", "h1/v", "volume-1"), new Attachment("volume-1", "vm1"));
        quobyte.connect(DriverLookupTest.info("quobyte", "h2/v", "volume-2"), new Attachment("volume-2", "vm2"));
        nfs.connect(DriverLookupTest.info("nfs", "h3/v", "volume-3"), new Attachment("volume-3", "vm3"));
        DriverLookup lookup = DriverLookup.of(FakeVolumeDrivers.of(quobyte, nfs));

        assertEquals(Set.of("nfs", "quobyte"), Candidates.driverTypes(lookup));
        assertEquals(Set.of("h1/v", "h2/v", "h3/v"), Candidates.exports(lookup));
        assertEquals(Set.of("h3/v"), Candidates.exports(lookup, Optional.of("nfs")));
        assertEquals(Set.of("vm1", "vm2", "vm3"), Candidates.instances(lookup));
        assertEquals(Set.of(FakeVolumeDriver.directory("h1/v"), FakeVolumeDriver.directory("h2/v")),
                Candidates.mountDirectories(lookup, Optional.of("quobyte")));
        assertEquals(Set.of(), Candidates.mountDirectories(lookup, Optional.of("iscsi")));
        assertEquals(Set.of(), Candidates.instances(DriverLookup.of(FakeVolumeDrivers.of())));
    }

    @Test
    void filtersByExportAndByInstance() throws Exception {
        FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
        quobyte.connect(DriverLookupTest.info("quobyte", "h1/v", "volume-1"), new Attachment("volume-1", "vm1"));
        quobyte.connect(DriverLookupTest.info("quobyte", "h1/v", "volume-2"), new Attachment("volume-2", "vm2"));
        quobyte.connect(DriverLookupTest.info("quobyte", "h2/v", "volume-3"), new Attachment("volume-3", "vm1"));
        List<MountStatus> mounts = quobyte.mounts();

        assertEquals(mounts, Candidates.filter(mounts, null, null));
        assertEquals(List.of("h1/v"), Candidates.filter(mounts, "h1/v", null).stream().map(MountStatus::export).toList());
        List<MountStatus> vm1 = Candidates.filter(mounts, null, "vm1");
        assertEquals(2, vm1.size());
        assertEquals(Set.of(new Attachment("volume-1", "vm1")), vm1.get(0).attachments());
        assertEquals(List.of(), Candidates.filter(mounts, "h2/v", "vm2"));
    }
}
