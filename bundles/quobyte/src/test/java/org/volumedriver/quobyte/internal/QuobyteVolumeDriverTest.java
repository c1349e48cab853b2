package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.testsupport.ComponentConfigs;

/** The DS component outside a framework: activation, refused and accepted configuration changes. */
class QuobyteVolumeDriverTest {

    @TempDir
    Path tmp;

    /** A typed configuration: the annotation defaults, with overrides by method name. */
    static QuobyteConfig config(Map<String, Object> overrides) {
        return ComponentConfigs.of(QuobyteConfig.class, overrides);
    }

    Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("mount_base", tmp.resolve("mnt").toString());
        m.put("watchdog_enabled", false);
        return m;
    }

    @Test
    void activatesAndServesTheAdminView() throws Exception {
        Fakes.Executor ex = new Fakes.Executor(new Fakes.Table());
        QuobyteVolumeDriver driver = new QuobyteVolumeDriver(ex, config(base()));
        try {
            QuobyteAdmin admin = new QuobyteAdminService(driver);
            assertEquals("quobyte", driver.type());
            assertEquals(tmp.resolve("mnt").toString(), admin.configuration().get("mount.base"));
            assertEquals("auto", admin.systemdDecision().mode());
            assertFalse(admin.systemdDecision().reason().isEmpty());
            assertEquals(tmp.resolve("mnt").resolve(FakeHostFixture.HASH).toString(),
                    admin.validate(Fakes.info("quobyte://" + FakeHostFixture.EXPORT, Fakes.VOLUME1)).mountDirectory());
            assertThrows(InvalidConnectionInfoException.class, () -> driver.validate(Fakes.info("-x/y", Fakes.VOLUME1)));
            assertTrue(driver.mounts().isEmpty());
            assertEquals(0L, driver.counters().get("mounts"));
        } finally {
            driver.deactivate();
        }
    }

    @Test
    void theAdminViewHealsWithStepsAndTheAbortCanBeSwitchedOff() throws Exception {
        Map<String, Object> m = base();
        m.put("heal_abort", false);
        QuobyteVolumeDriver driver = new QuobyteVolumeDriver(new Fakes.Executor(new Fakes.Table()), config(m));
        try {
            QuobyteAdmin admin = new QuobyteAdminService(driver);
            assertEquals("false", admin.configuration().get("heal.abort"));
            assertTrue(admin.mounts().isEmpty());
            String dir = tmp.resolve("mnt").resolve(FakeHostFixture.HASH).toString();
            var report = admin.heal(dir, true);
            assertEquals(org.volumedriver.spi.MountState.NOT_MOUNTED, report.status().state());
            assertTrue(report.steps().isEmpty(), "nothing mounted, nothing attached: nothing to do");
            assertThrows(org.volumedriver.spi.UnsafePathException.class, () -> admin.heal("/etc", true));
        } finally {
            driver.deactivate();
        }
        assertEquals("true", Settings.builder().build().describe().get("heal.abort"), "on by default");
    }

    @Test
    void badConfigurationPreventsActivation() {
        Map<String, Object> m = base();
        m.put("systemd_mode", "sometimes");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> new QuobyteVolumeDriver(new Fakes.Executor(new Fakes.Table()), config(m)));
        assertEquals("systemd.mode", e.key());
    }

    @Test
    void refusedChangeKeepsThePreviousConfiguration() throws Exception {
        QuobyteVolumeDriver driver = new QuobyteVolumeDriver(new Fakes.Executor(new Fakes.Table()), config(base()));
        try {
            Map<String, Object> bad = base();
            bad.put("max_mounts", 0);
            driver.modified(config(bad));
            assertEquals("128", driver.configuration().get("max.mounts"));
            Map<String, Object> good = base();
            good.put("max_mounts", 7);
            driver.modified(config(good));
            assertEquals("7", driver.configuration().get("max.mounts"));
            Map<String, Object> unsafe = base();
            unsafe.put("mount_base", "/tmp"); // world-writable: checked when the new engine starts
            driver.modified(config(unsafe));
            assertEquals(tmp.resolve("mnt").toString(), driver.configuration().get("mount.base"));
        } finally {
            driver.deactivate();
        }
    }
}
