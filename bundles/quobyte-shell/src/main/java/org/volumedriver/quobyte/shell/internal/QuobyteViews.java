package org.volumedriver.quobyte.shell.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.spi.Redactor;

/**
 * The Quobyte driver's own reports, as fields for {@code Views.report}; reasons and exports go
 * through {@link Redactor}.
 */
public final class QuobyteViews {

    /** The short name of the {@code QuobyteAdmin} service in the "service unavailable" line. */
    public static final String ADMIN = "Quobyte admin";

    private QuobyteViews() {
    }

    /**
     * @param decision the Quobyte driver's systemd decision
     * @return its fields for a key/value report
     */
    public static Map<String, String> systemd(SystemdDecision decision) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Systemd scope", decision.useScope() ? "used" : "not used");
        fields.put("Mode", decision.mode());
        fields.put("Reason", Redactor.redactText(decision.reason()));
        return fields;
    }

    /**
     * @param volume what the Quobyte driver's dry run found
     * @return its fields for a key/value report
     */
    public static Map<String, String> validated(ValidatedVolume volume) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Export", Redactor.redactText(volume.export()));
        fields.put("Mount directory", volume.mountDirectory());
        fields.put("Volume file", volume.volumePath());
        fields.put("Format", volume.format());
        return fields;
    }
}
