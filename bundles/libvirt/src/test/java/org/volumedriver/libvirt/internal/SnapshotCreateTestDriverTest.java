package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.VolumeDriverException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Snapshot create on the test driver: every hostile input is refused with its typed one-line
 * error before anything changes (live XML, definition, files and the driver's records identical),
 * and when libvirt fails after the records followed the guest, they follow back.
 */
class SnapshotCreateTestDriverTest extends AttachedVolumesFixture {

    static final String SNAPSHOT = "2f1e0d9c-8b7a-4654-9321-0fedcba98765";

    /** A running guest whose vdb is the raw volume file, with the volume's serial; vda another disk. */
    private String guest(boolean agent) throws Exception {
        raw(BASE, 1 << 20);
        return define(true, "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/var/lib/root.img'/>"
                + "<target dev='vda' bus='virtio'/></disk>" + disk("vdb", UUID, path(BASE), "raw") + (agent ? AGENT : ""));
    }

    @Test
    void everyHostileInputIsRefusedBeforeAnythingChanges() throws Exception {
        String domain = guest(false);
        driver.connectedEarlier(new Attachment(BASE, domain));
        String stopped = define(false, disk("vdb", UUID, path(BASE), "raw"));
        qcow2("volume-" + UUID + ".raw-backing-undeclared", GIB, BASE, null);
        qcow2("volume-" + UUID + ".backs-other", GIB, "volume-" + UUID + ".elsewhere", "raw");
        raw("volume-" + UUID + ".elsewhere", 512);
        raw("volume-" + UUID + ".plain", 512);
        qcow2("volume-" + UUID + ".says-qcow2", GIB, BASE, "qcow2");
        qcow2("volume-" + OTHER_UUID + ".s1", GIB, BASE, "raw");
        raw("volume-" + OTHER_UUID, 512);
        Qcow2Files.write(mnt.resolve("volume-" + UUID + ".data-file"), GIB, BASE, "raw", "/etc/shadow");
        qcow2("volume-" + UUID + ".ok", GIB, BASE, "raw");
        String live = liveXml(domain);
        String defined = definition(domain);
        Map<String, String> files = files();
        Set<Attachment> records = driver.attachments();

        Map<String, Executable> refusals = new LinkedHashMap<>();
        refusals.put("INVALID_DISK_SPEC domain", () -> volumes.snapshotCreate("bad name'", info(BASE), SNAPSHOT, "volume-" + UUID + ".ok"));
        refusals.put("INVALID_CONNECTION_INFO snapshot_id", () -> volumes.snapshotCreate(domain, info(BASE), "not-a-uuid", "volume-" + UUID + ".ok"));
        refusals.put("INVALID_CONNECTION_INFO snapshot_id null", () -> volumes.snapshotCreate(domain, info(BASE), null, "volume-" + UUID + ".ok"));
        refusals.put("INVALID_CONNECTION_INFO new_file /", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "sub/volume-" + UUID));
        refusals.put("INVALID_CONNECTION_INFO new_file ..", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + UUID + "..x"));
        refusals.put("INVALID_CONNECTION_INFO new_file null", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, null));
        refusals.put("INVALID_CONNECTION_INFO data.name pattern", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "passwd"));
        refusals.put("UNSAFE_PATH missing", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + UUID + ".missing"));
        refusals.put("CHAIN_MISMATCH raw", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + UUID + ".plain"));
        refusals.put("CHAIN_MISMATCH backing", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + UUID + ".backs-other"));
        refusals.put("UNSAFE_IMAGE undeclared", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + UUID + ".raw-backing-undeclared"));
        refusals.put("CHAIN_MISMATCH format", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + UUID + ".says-qcow2"));
        refusals.put("CHAIN_MISMATCH other volume", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + OTHER_UUID + ".s1"));
        refusals.put("UNSAFE_IMAGE data file", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + UUID + ".data-file"));
        refusals.put("CHAIN_MISMATCH already active", () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, BASE));
        refusals.put("DISK_NOT_FOUND other volume", () -> volumes.snapshotCreate(domain, info("volume-" + OTHER_UUID), SNAPSHOT,
                "volume-" + OTHER_UUID + ".s1"));
        refusals.put("HYPERVISOR_ERROR 55 stopped", () -> volumes.snapshotCreate(stopped, info(BASE), SNAPSHOT, "volume-" + UUID + ".ok"));
        refusals.put("HYPERVISOR_ERROR 42 no domain", () -> volumes.snapshotCreate("no-such-domain", info(BASE), SNAPSHOT, "volume-" + UUID + ".ok"));
        refusals.put("UNKNOWN_DRIVER", () -> volumes.snapshotCreate(domain, org.volumedriver.spi.ConnectionInfo.fromMap(Map.of(
                "driver_volume_type", "nope", "data", Map.of("export", "x", "name", BASE))), SNAPSHOT, "volume-" + UUID + ".ok"));

        for (Map.Entry<String, Executable> refusal : refusals.entrySet()) {
            String expected = refusal.getKey().split(" ")[0];
            VolumeDriverException e = assertThrows(VolumeDriverException.class, refusal.getValue(), refusal.getKey());
            assertEquals(expected, e.code(), refusal.getKey() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            if (e instanceof InvalidConnectionInfoException invalid && refusal.getKey().split(" ").length > 1
                    && !(e instanceof InvalidDiskSpecException) && !refusal.getKey().contains("pattern")) {
                assertEquals(refusal.getKey().split(" ")[1], invalid.field(), refusal.getKey());
            }
            if (e instanceof HypervisorException hypervisor && refusal.getKey().split(" ").length > 1) {
                assertEquals(Integer.parseInt(refusal.getKey().split(" ")[1]), hypervisor.errorCode(), refusal.getKey());
            }
        }
        assertEquals(live, liveXml(domain), "the running guest is unchanged");
        assertEquals(defined, definition(domain), "the definition is unchanged");
        assertEquals(files, files(), "every file is byte for byte unchanged");
        assertEquals(records, driver.attachments(), "the driver's records are unchanged");
        assertTrue(driver.calls.stream().noneMatch(c -> c.startsWith("follow")), driver.calls.toString());
    }

    @Test
    void qcow2OutsideTheFormatsAllowedIsRefused() throws Exception {
        String domain = guest(false);
        qcow2("volume-" + UUID + ".s1", GIB, BASE, "raw");
        try (AttachedVolumesImpl rawOnly = AttachedVolumesImpl.withSettings(drivers,
                settings(Map.of("source_types", new String[] {"dir=file"}, "formats", new String[] {"raw"})))) {
            VolumeDriverException e = assertThrows(VolumeDriverException.class,
                    () -> rawOnly.snapshotCreate(domain, info(BASE), SNAPSHOT, "volume-" + UUID + ".s1"));
            assertEquals("UNSUPPORTED_FORMAT", e.code(), e.getMessage());
        }
    }

    @Test
    void whenLibvirtFailsTheRecordsFollowBack() throws Exception {
        String domain = guest(true);
        String uuid = uuid(domain);
        Attachment byName = new Attachment(BASE, domain);
        Attachment byUuid = new Attachment(BASE, uuid);
        Attachment otherGuest = new Attachment(BASE, "another-instance");
        driver.connectedEarlier(byName);
        driver.connectedEarlier(byUuid);
        driver.connectedEarlier(otherGuest);
        String next = qcow2("volume-" + UUID + ".s1", GIB, BASE, "raw");
        String live = liveXml(domain);
        Map<String, String> files = files();

        // the test driver refuses the disk-only snapshot's flags (error 8): a real libvirt failure after the checks
        HypervisorException e = assertThrows(HypervisorException.class, () -> volumes.snapshotCreate(domain, info(BASE), SNAPSHOT, next));
        assertEquals("snapshot", e.operation());
        assertEquals(8, e.errorCode(), e.getMessage());
        // the agent channel is connected: quiesced first, then once more without (Nova's fallback)
        assertEquals(1, e.getSuppressed().length, Arrays.toString(e.getSuppressed()));
        assertEquals(8, ((HypervisorException) e.getSuppressed()[0]).errorCode());

        // only this domain's attachments followed (by name and by UUID), then both came back
        List<String> follows = driver.calls.stream().filter(c -> c.startsWith("follow")).toList();
        assertEquals(4, follows.size(), follows.toString());
        assertEquals(Set.of("follow " + byName + " -> " + next, "follow " + byUuid + " -> " + next), Set.copyOf(follows.subList(0, 2)));
        assertEquals(Set.of("follow " + new Attachment(next, domain) + " -> " + BASE, "follow " + new Attachment(next, uuid) + " -> " + BASE),
                Set.copyOf(follows.subList(2, 4)));
        assertEquals(Set.of(byName, byUuid, otherGuest), driver.attachments());
        assertEquals(live, liveXml(domain));
        assertEquals(files, files());
    }

    @Test
    void aFailingFollowIsUndoneAndNothingReachesLibvirt() throws Exception {
        String domain = guest(false);
        Attachment byName = new Attachment(BASE, domain);
        driver.connectedEarlier(byName);
        driver.connectedEarlier(new Attachment(BASE, uuid(domain)));
        String next = qcow2("volume-" + UUID + ".s1", GIB, BASE, "raw");
        DirectoryVolumeDriver failing = new DirectoryVolumeDriver(mnt, true) {
            private int follows;

            @Override
            public synchronized boolean follow(org.volumedriver.spi.VolumeLocation from, String toVolume, Attachment attachment)
                    throws VolumeDriverException {
                if (++follows == 2) {
                    throw new org.volumedriver.spi.MountUnhealthyException(from.mountDirectory(), "journal not writable");
                }
                return driver.follow(from, toVolume, attachment);
            }

            @Override
            public synchronized java.util.List<org.volumedriver.spi.MountStatus> mounts() {
                return driver.mounts();
            }
        };
        VolumeDriversImpl registry = new VolumeDriversImpl();
        registry.addDriver(failing, Map.of("service.id", 2L, "volume.driver.type", "dir"));
        String live = liveXml(domain);
        try (AttachedVolumesImpl withFailing = AttachedVolumesImpl.withSettings(registry, settings())) {
            VolumeDriverException e = assertThrows(VolumeDriverException.class,
                    () -> withFailing.snapshotCreate(domain, info(BASE), SNAPSHOT, next));
            assertEquals("MOUNT_UNHEALTHY", e.code());
        }
        assertEquals(Set.of(byName, new Attachment(BASE, uuid(domain))), driver.attachments(), "the first follow was undone");
        assertEquals(live, liveXml(domain));
    }

    @Test
    void theSnapshotNamesOnlyTheVolumesDiskAndExcludesEveryOther() throws Exception {
        String xml = SnapshotCreate.snapshotXml(SNAPSHOT, "vdb", "/m/volume-x.s1", List.of("vda", "sdc", "x'/><disk name='vde"));
        Element root = Xml.parse(xml).getDocumentElement();
        assertEquals("domainsnapshot", root.getTagName());
        assertEquals(SNAPSHOT, root.getElementsByTagName("name").item(0).getTextContent());
        NodeList disks = root.getElementsByTagName("disk");
        assertEquals(4, disks.getLength(), xml);
        Element ours = (Element) disks.item(0);
        assertEquals("vdb", ours.getAttribute("name"));
        assertEquals("external", ours.getAttribute("snapshot"));
        assertEquals("qcow2", ((Element) ours.getElementsByTagName("driver").item(0)).getAttribute("type"));
        assertEquals("/m/volume-x.s1", ((Element) ours.getElementsByTagName("source").item(0)).getAttribute("file"));
        for (int i = 1; i < 4; i++) {
            assertEquals("no", ((Element) disks.item(i)).getAttribute("snapshot"));
        }
        assertEquals("x'/><disk name='vde", ((Element) disks.item(3)).getAttribute("name"), "escaped, taken verbatim");
    }
}
