package org.volumedriver.quobyte.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.QuobyteMount;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The administration view of this bundle's Quobyte driver. A separate component because
 * {@link QuobyteAdmin#validate} and {@link VolumeDriver#validate} differ only in their result.
 */
@Component(service = QuobyteAdmin.class)
public final class QuobyteAdminService implements QuobyteAdmin {

    private final QuobyteVolumeDriver driver;

    /**
     * @param driver this bundle's Quobyte driver
     */
    @Activate
    public QuobyteAdminService(@Reference(target = "(&(" + VolumeDriver.TYPE_PROPERTY + "=" + DRIVER_TYPE
            + ")(component.name=org.volumedriver.quobyte.internal.QuobyteVolumeDriver))") VolumeDriver driver) {
        this.driver = (QuobyteVolumeDriver) driver;
    }

    @Override
    public SystemdDecision systemdDecision() {
        return driver.systemdDecision();
    }

    @Override
    public ValidatedVolume validate(ConnectionInfo info) throws VolumeDriverException {
        return driver.check(info);
    }

    @Override
    public Map<String, String> configuration() {
        return driver.configuration();
    }

    @Override
    public List<QuobyteMount> mounts() {
        return driver.mountDetails();
    }

    @Override
    public HealReport heal(String mountDirectory, boolean force) throws VolumeDriverException {
        return driver.healReport(mountDirectory, force);
    }
}
