package org.volumedriver.libvirt.internal;

import java.util.Objects;
import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.volumedriver.libvirt.DiskXmlService;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The disk XML service. Its allowlists are those of the settings in force
 * ({@link CurrentSettings}), read at each call, so a changed configuration applies at once.
 */
@Component(service = DiskXmlService.class)
public class DiskXmlServiceImpl implements DiskXmlService {

    private final Supplier<DiskPolicy> policy;

    /**
     * @param settings the settings in force
     */
    @Activate
    public DiskXmlServiceImpl(@Reference CurrentSettings settings) {
        Objects.requireNonNull(settings, "settings");
        this.policy = () -> settings.get().disks();
    }

    /** @return the allowlists in force */
    public DiskPolicy policy() {
        return policy.get();
    }

    @Override
    public DiskSpec check(String driverType, DiskSpec spec) throws VolumeDriverException {
        return CheckedDisk.effective(policy(), driverType, spec);
    }

    @Override
    public String diskXml(String driverType, DiskSpec spec) throws VolumeDriverException {
        return CheckedDisk.check(policy(), driverType, spec).xml();
    }
}
