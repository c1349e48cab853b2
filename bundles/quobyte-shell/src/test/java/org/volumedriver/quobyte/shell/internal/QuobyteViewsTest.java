package org.volumedriver.quobyte.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;

class QuobyteViewsTest {

    @Test
    void systemdReportSaysWhetherAndWhy() {
        Map<String, String> fields = QuobyteViews.systemd(new SystemdDecision(false, "auto",
                "/run/systemd/system does not exist"));
        assertEquals(Map.of("Systemd scope", "not used", "Mode", "auto", "Reason", "/run/systemd/system does not exist"), fields);
        assertEquals("used", QuobyteViews.systemd(new SystemdDecision(true, "on", "forced by configuration")).get("Systemd scope"));
    }

    @Test
    void validatedVolumeReport() {
        Map<String, String> fields = QuobyteViews.validated(new ValidatedVolume("192.168.1.1/volume-00001",
                "/var/lib/volumedriver/mnt/c94ed34ada0acf45c1213beb1fc52ce6",
                "/var/lib/volumedriver/mnt/c94ed34ada0acf45c1213beb1fc52ce6/volume-1", "raw"));
        assertEquals(List.of("Export", "Mount directory", "Volume file", "Format"), List.copyOf(fields.keySet()));
        assertEquals("/var/lib/volumedriver/mnt/c94ed34ada0acf45c1213beb1fc52ce6", fields.get("Mount directory"));
    }
}
