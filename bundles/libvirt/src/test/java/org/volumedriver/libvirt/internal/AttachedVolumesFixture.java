package org.volumedriver.libvirt.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.volumedriver.libvirt.testing.DefinedDomains;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.testsupport.TcgDomains;

/**
 * Domains on libvirt's test driver whose disks are chains of real files in a temporary mount
 * directory of a {@link DirectoryVolumeDriver}. The test driver keeps a disk's
 * {@code <backingStore>} as defined and never opens a file, so every check before libvirt is asked
 * runs for real; the block operations themselves it does not implement (libvirt error 3), nor a
 * disk-only snapshot (error 8): a real libvirt failure after the checks.
 */
abstract class AttachedVolumesFixture extends TestDriverFixture {

    static final String UUID = "6f2c1b7e-1d8a-4a7e-9c2f-0b3c8e1d5a11";
    static final String OTHER_UUID = "0b3c8e1d-5a11-4a7e-9c2f-6f2c1b7e1d8a";
    static final String BASE = "volume-" + UUID;
    static final long GIB = 1L << 30;

    @TempDir
    Path temp;

    Path mnt;
    DirectoryVolumeDriver driver;
    VolumeDriversImpl drivers;
    DomainLocks locks;
    Telemetry telemetry = new Telemetry();
    AttachedVolumesImpl volumes;
    final DefinedDomains domains = new DefinedDomains();

    @BeforeEach
    void setUpVolumes() throws Exception {
        mnt = Files.createDirectory(temp.resolve("mnt"));
        driver = new DirectoryVolumeDriver(mnt, true);
        drivers = new VolumeDriversImpl();
        drivers.addDriver(driver, Map.of("service.id", 1L, "volume.driver.type", driver.type()));
        locks = new DomainLocks();
        volumes = AttachedVolumesImpl.withSettings(drivers, settings(), locks, telemetry);
    }

    @AfterEach
    void tearDownVolumes() {
        volumes.close();
        domains.removeAll(libvirt.connect());
    }

    static LibvirtSettings settings() {
        return settings(Map.of("source_types", new String[] {"dir=file"}));
    }

    static LibvirtSettings settings(Map<String, Object> policy) {
        return new LibvirtSettings("test:///default", Duration.ofMillis(500), Duration.ofMillis(50), TestConfigs.policy(policy));
    }

    static ConnectionInfo info(String name) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "dir", "data", Map.of("export", "dir://export", "name", name)));
    }

    String path(String name) {
        return mnt.resolve(name).toString();
    }

    String raw(String name, int size) throws IOException {
        Files.write(mnt.resolve(name), new byte[size]);
        return name;
    }

    String qcow2(String name, long size, String backing, String backingFormat) throws IOException {
        Qcow2Files.write(mnt.resolve(name), size, backing, backingFormat, null);
        return name;
    }

    /**
     * @param dev the target
     * @param serial the serial, or {@code null}
     * @param chain path and format pairs, the active file first
     * @return a {@code <disk>} with the chain as nested {@code <backingStore>} elements
     */
    static String disk(String dev, String serial, String... chain) {
        StringBuilder xml = new StringBuilder("<disk type='file' device='disk'><driver name='qemu' type='").append(chain[1])
                .append("'/><source file='").append(chain[0]).append("'/>");
        for (int i = 2; i < chain.length; i += 2) {
            xml.append("<backingStore type='file'><format type='").append(chain[i + 1]).append("'/><source file='").append(chain[i])
                    .append("'/>");
        }
        xml.append("<backingStore/>");
        xml.append("</backingStore>".repeat((chain.length - 2) / 2));
        xml.append("<target dev='").append(dev).append("' bus='virtio'/>");
        if (serial != null) {
            xml.append("<serial>").append(serial).append("</serial>");
        }
        return xml.append("</disk>").toString();
    }

    static final String AGENT = "<channel type='unix'><source mode='bind' path='/tmp/agent.sock'/>"
            + "<target type='virtio' name='org.qemu.guest_agent.0' state='connected'/></channel>";

    /**
     * @param running start it
     * @param devices the device XML
     * @return the new domain's name
     */
    String define(boolean running, String devices) throws Exception {
        String name = domains.add(TcgDomains.uniqueName("chain"));
        Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named(name).devices(devices).xml());
        if (running) {
            dom.create();
        }
        dom.free();
        return name;
    }

    String liveXml(String domain) throws Exception {
        return libvirt.domain(domain).getXMLDesc(0);
    }

    String definition(String domain) throws Exception {
        return libvirt.domain(domain).getXMLDesc(Guest.XML_INACTIVE | Guest.XML_SECURE);
    }

    String uuid(String domain) throws Exception {
        return libvirt.domain(domain).getUUIDString();
    }

    /** @return every file of the mount directory and the SHA-256 of its bytes */
    Map<String, String> files() throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.list(mnt)) {
            for (Path file : all.toList()) {
                files.put(file.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return files;
    }
}
