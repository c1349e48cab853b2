package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.testsupport.ComponentConfigs;

class SettingsTest {

    @Test
    void defaults() throws Exception {
        Settings s = Settings.builder().build();
        assertEquals("/var/lib/volumedriver/quobyte/mnt", s.describe().get("mount.base"));
        assertEquals("/var/lib/volumedriver/quobyte/mnt/.volumedriver/attachments.journal", s.describe().get("journal.path"));
        assertEquals("0750", s.describe().get("directory.mode"));
        assertEquals("auto", s.describe().get("systemd.mode"));
        assertEquals("8", s.describe().get("max.concurrent.operations"));
        assertEquals("false", s.describe().get("journal.sync"), "libvirt is the truth: a connect waits for no fsync");
    }

    @Test
    void theBuilderHasTheMetatypesDefaults() throws Exception {
        Settings fromMetatype = Settings.from(ComponentConfigs.of(QuobyteConfig.class, Map.of()));
        assertEquals(fromMetatype.describe(), Settings.builder().build().describe());
    }

    @Test
    void everyBadValueIsRefusedNamingItsKey() {
        Object[][] cases = {
            { "mount.base", (UnaryOperator<Settings.Builder>) b -> b.mountBase("relative") },
            { "mount.base", (UnaryOperator<Settings.Builder>) b -> b.mountBase("/a/./b") },
            { "mount.base", (UnaryOperator<Settings.Builder>) b -> b.mountBase("/a//b") },
            { "mount.base", (UnaryOperator<Settings.Builder>) b -> b.mountBase("/a/b/") },
            { "mount.base", (UnaryOperator<Settings.Builder>) b -> b.mountBase("/") },
            { "mount.base", (UnaryOperator<Settings.Builder>) b -> b.mountBase("/a b") },
            { "mount.base", (UnaryOperator<Settings.Builder>) b -> b.mountBase("/a/-b") },
            { "client.config", (UnaryOperator<Settings.Builder>) b -> b.clientConfig("etc/client.cfg") },
            { "systemd.mode", (UnaryOperator<Settings.Builder>) b -> b.systemdMode("yes") },
            { "systemd.mode", (UnaryOperator<Settings.Builder>) b -> b.systemdMode("AUTO") },
            { "systemd.slice", (UnaryOperator<Settings.Builder>) b -> b.slice("system") },
            { "systemd.slice", (UnaryOperator<Settings.Builder>) b -> b.slice("a b.slice") },
            { "mount.command", (UnaryOperator<Settings.Builder>) b -> b.mountCommand("/usr/bin/mount.quobyte") },
            { "max.mounts", (UnaryOperator<Settings.Builder>) b -> b.maxMounts(0) },
            { "max.concurrent.operations", (UnaryOperator<Settings.Builder>) b -> b.maxConcurrentOperations(0) },
            { "mount.timeout.ms", (UnaryOperator<Settings.Builder>) b -> b.mountTimeoutMs(0) },
            { "probe.timeout.ms", (UnaryOperator<Settings.Builder>) b -> b.probeTimeoutMs(-1) },
            { "volume.name.pattern", (UnaryOperator<Settings.Builder>) b -> b.volumeNamePattern("(") },
            { "volume.name.pattern", (UnaryOperator<Settings.Builder>) b -> b.volumeNamePattern(".*") },
            { "volume.name.pattern", (UnaryOperator<Settings.Builder>) b -> b.volumeNamePattern("[a-z./]+") },
            { "directory.mode", (UnaryOperator<Settings.Builder>) b -> b.directoryMode("0777") },
            { "directory.mode", (UnaryOperator<Settings.Builder>) b -> b.directoryMode("0500") },
            { "directory.mode", (UnaryOperator<Settings.Builder>) b -> b.directoryMode("rwx") },
            { "directory.group", (UnaryOperator<Settings.Builder>) b -> b.directoryGroup("kvm;id") },
            { "directory.group", (UnaryOperator<Settings.Builder>) b -> b.directoryGroup("-g") },
            { "journal.path", (UnaryOperator<Settings.Builder>) b -> b.journal("journal") },
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            UnaryOperator<Settings.Builder> f = (UnaryOperator<Settings.Builder>) c[1];
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> f.apply(Settings.builder()).build(),
                    (String) c[0]);
            assertEquals(c[0], e.key());
        }
    }
}
