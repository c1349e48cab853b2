package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.quobyte.SystemdDecision;

class SystemdDetectorTest {

    @TempDir
    Path tmp;

    @Test
    void theMarkerPathHasNoStraySpace() {
        assertEquals("/run/systemd/system", SystemdDetector.RUN_SYSTEMD.toString());
    }

    @Test
    void autoNeedsTheMarkerAndAnAcceptedState() throws Exception {
        Fakes.Executor ex = new Fakes.Executor(new Fakes.Table());
        Path marker = tmp.resolve("system");
        SystemdDecision d = SystemdDetector.decide(Settings.SystemdMode.AUTO, marker, ex);
        assertFalse(d.useScope());
        assertTrue(d.reason().contains("does not exist"), d.reason());
        assertTrue(ex.requests.isEmpty());

        Files.createDirectory(marker);
        for (String state : List.of("running", "degraded", "starting")) {
            ex.systemctl = r -> Fakes.Executor.result(r, state.equals("running") ? 0 : 1, state + "\n");
            d = SystemdDetector.decide(Settings.SystemdMode.AUTO, marker, ex);
            assertTrue(d.useScope(), state);
            assertTrue(d.reason().contains(state));
        }
        for (String state : List.of("offline", "stopping", "maintenance", "initializing", "")) {
            ex.systemctl = r -> Fakes.Executor.result(r, 1, state + "\n");
            assertFalse(SystemdDetector.decide(Settings.SystemdMode.AUTO, marker, ex).useScope(), state);
        }
        assertEquals(List.of("is-system-running"), ex.named("systemctl").get(0).arguments());
    }

    @Test
    void overrides() {
        Fakes.Executor ex = new Fakes.Executor(new Fakes.Table());
        assertTrue(SystemdDetector.decide(Settings.SystemdMode.ON, tmp.resolve("none"), ex).useScope());
        assertFalse(SystemdDetector.decide(Settings.SystemdMode.OFF, tmp, ex).useScope());
        assertEquals("off", SystemdDetector.decide(Settings.SystemdMode.OFF, tmp, ex).mode());
        assertTrue(ex.requests.isEmpty());
    }
}
