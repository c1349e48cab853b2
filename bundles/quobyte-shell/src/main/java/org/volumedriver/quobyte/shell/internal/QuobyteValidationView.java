package org.volumedriver.quobyte.shell.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.shell.support.ValidationView;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Shows in {@code volume:validate} where a Quobyte volume would be mounted and found, from the
 * driver's own dry run. Registered only while the Quobyte driver's {@link QuobyteAdmin} is; without
 * it {@code volume:validate} shows the generic fields.
 */
@Component(service = ValidationView.class)
public final class QuobyteValidationView implements ValidationView {

    private final QuobyteAdmin admin;

    /**
     * @param admin the Quobyte driver's administration service
     */
    @Activate
    public QuobyteValidationView(@Reference QuobyteAdmin admin) {
        this.admin = admin;
    }

    @Override
    public String driverType() {
        return QuobyteAdmin.DRIVER_TYPE;
    }

    @Override
    public Map<String, String> fields(ConnectionInfo info) throws VolumeDriverException {
        return QuobyteViews.validated(admin.validate(info));
    }
}
