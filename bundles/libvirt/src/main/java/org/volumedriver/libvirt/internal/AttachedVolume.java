package org.volumedriver.libvirt.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeDrivers;

/**
 * A volume as its driver sees it: the driver, the connection info, the disk it describes and the
 * mount directory that holds every file of the volume's chain. The other files of the chain are
 * named by the same connection info with another {@code data.name}, so the driver checks every
 * name exactly as it checks {@code data.name}.
 *
 * @param driver the driver serving the connection info's type
 * @param info the connection info
 * @param described the disk the driver describes for it
 * @param directory the mount directory: the directory of the described source
 */
record AttachedVolume(VolumeDriver driver, ConnectionInfo info, DiskSpec described, Path directory) {

    /**
     * Finds the driver and has it describe the disk; nothing is mounted or changed.
     *
     * @param drivers the driver whiteboard
     * @param info the connection info
     * @return the volume
     * @throws VolumeDriverException if no driver serves the type or it refuses the connection info
     */
    static AttachedVolume of(VolumeDrivers drivers, ConnectionInfo info) throws VolumeDriverException {
        VolumeDriver driver = drivers.driver(info.driverVolumeType());
        DiskSpec described = driver.describeDisk(info);
        return new AttachedVolume(driver, info, described, DiskLookup.directory(described));
    }

    /** @return the file name of the connection info ({@code data.name} as the driver resolved it) */
    String volume() {
        return Path.of(described.sourcePath()).getFileName().toString();
    }

    /** @return the driver's type */
    String type() {
        return driver.type();
    }

    /**
     * @param file another file of the volume, by name
     * @return the connection info naming that file
     * @throws VolumeDriverException if the connection info cannot be rebuilt (never for one the SPI accepted)
     */
    ConnectionInfo naming(String file) throws VolumeDriverException {
        return withName(info, file);
    }

    /**
     * @param file a file in the mount directory, by name
     * @return the disk the driver describes for it
     * @throws VolumeDriverException if the driver refuses the name
     */
    DiskSpec describe(String file) throws VolumeDriverException {
        return driver.describeDisk(naming(file));
    }

    /**
     * @param file a file in the mount directory, by name
     * @return what the driver finds in the file's header
     * @throws VolumeDriverException if the driver refuses the name or the file
     */
    VolumeImage inspect(String file) throws VolumeDriverException {
        return driver.inspectImage(info, file);
    }

    /**
     * @param info a connection info
     * @param name another {@code data.name}
     * @return the same connection info naming that file
     * @throws VolumeDriverException if the SPI refuses the result
     */
    static ConnectionInfo withName(ConnectionInfo info, String name) throws VolumeDriverException {
        Map<String, Object> data = new LinkedHashMap<>(info.data());
        data.put("name", name);
        Map<String, Object> whole = new LinkedHashMap<>();
        whole.put("driver_volume_type", info.driverVolumeType());
        whole.put("data", data);
        return ConnectionInfo.fromMap(whole);
    }
}
