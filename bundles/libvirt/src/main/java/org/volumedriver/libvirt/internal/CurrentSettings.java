package org.volumedriver.libvirt.internal;

import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.InvalidConfigurationException;

/**
 * The settings of PID {@value LibvirtConfig#PID} in force, for the disk XML service and the
 * attacher, which read them at each call. Each configuration is parsed and checked once, here. A
 * changed configuration applies at once; a refused one is logged and the previous settings stay
 * in force for both.
 */
@Component(service = CurrentSettings.class, configurationPid = LibvirtConfig.PID)
@Designate(ocd = LibvirtConfig.class)
public class CurrentSettings implements Supplier<LibvirtSettings> {

    private static final Logger LOG = LoggerFactory.getLogger(CurrentSettings.class);

    private volatile LibvirtSettings settings;

    /**
     * A refused configuration at start keeps this component from starting, and with it the disk
     * XML service and the attacher: there are no previous settings to fall back on, and silently
     * using the defaults could allow what the administrator meant to forbid.
     *
     * @param config the configuration
     * @throws InvalidConfigurationException naming the refused key
     */
    @Activate
    public CurrentSettings(LibvirtConfig config) throws InvalidConfigurationException {
        try {
            settings = LibvirtSettings.from(config);
        } catch (InvalidConfigurationException e) {
            LOG.error("libvirt configuration refused, the disk XML service and the attacher do not start: {}", e.getMessage());
            throw e;
        }
    }

    @Modified
    void modified(LibvirtConfig config) {
        try {
            settings = LibvirtSettings.from(config);
            LOG.info("libvirt configuration updated: uri {}", settings.uri());
        } catch (InvalidConfigurationException e) {
            LOG.error("libvirt configuration refused, the previous one stays in force: {}", e.getMessage());
        }
    }

    /** @return the settings in force now */
    @Override
    public LibvirtSettings get() {
        return settings;
    }
}
