package org.volumedriver.libvirt.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.DiskXmlService;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The disk XML service, configured by PID {@value LibvirtConfig#PID}. A changed configuration
 * applies at once; a refused one is logged and the previous allowlists stay in force.
 */
@Component(service = DiskXmlService.class, configurationPid = LibvirtConfig.PID)
@Designate(ocd = LibvirtConfig.class)
public class DiskXmlServiceImpl implements DiskXmlService {

    private static final Logger LOG = LoggerFactory.getLogger(DiskXmlServiceImpl.class);

    private volatile DiskPolicy policy;

    /** For Declarative Services. */
    public DiskXmlServiceImpl() {
    }

    /**
     * Outside a framework (tests, benchmarks).
     *
     * @param policy the allowlists
     */
    public DiskXmlServiceImpl(DiskPolicy policy) {
        this.policy = policy;
    }

    /**
     * A refused configuration at start keeps the component from starting: there are no previous
     * allowlists to fall back on, and silently using the defaults could allow what the
     * administrator meant to forbid.
     *
     * @param config the configuration
     * @throws InvalidConfigurationException naming the refused key
     */
    @Activate
    void activate(LibvirtConfig config) throws InvalidConfigurationException {
        try {
            // the configuration is shared with the attacher: it is accepted or refused as a whole
            VolumeAttacherImpl.Settings.from(config);
            policy = DiskPolicy.from(config);
        } catch (InvalidConfigurationException e) {
            LOG.error("libvirt disk allowlists refused, the disk XML service does not start: {}", e.getMessage());
            throw e;
        }
    }

    @Modified
    void modified(LibvirtConfig config) {
        try {
            VolumeAttacherImpl.Settings.from(config);
            policy = DiskPolicy.from(config);
            LOG.info("libvirt disk allowlists updated");
        } catch (InvalidConfigurationException e) {
            LOG.error("libvirt disk allowlists refused, the previous ones stay in force: {}", e.getMessage());
        }
    }

    /** @return the allowlists in force */
    public DiskPolicy policy() {
        return policy;
    }

    @Override
    public DiskSpec check(String driverType, DiskSpec spec) throws VolumeDriverException {
        return DiskXml.check(policy, driverType, spec,
                warning -> LOG.warn("disk {} for driver type {}: {}", Redactor.quote(spec.sourcePath()), driverType, warning));
    }

    @Override
    public String diskXml(String driverType, DiskSpec spec) throws VolumeDriverException {
        return DiskXml.write(check(driverType, spec));
    }
}
