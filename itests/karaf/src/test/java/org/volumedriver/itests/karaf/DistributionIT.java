package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.After;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration.ConfigurationAttribute;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.libvirt.DiskXmlService;
import org.volumedriver.libvirt.VolumeAttacher;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.spi.VolumeDriver;

/**
 * The distribution as built (features/distribution), booted with its SANDBOX profile: bundles,
 * components, services, the clean log, the shell commands through Karaf's command processor, a
 * live configuration change, and (under scripts/test) real mounts through the stand-in.
 * One Karaf boot for the whole class.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class DistributionIT extends VolumedriverTestSupport {

    static final String EXPORT = "registry-a.example.org:7861/volume-a";
    static final String VOLUME = "volume-0f3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";
    static final String VOLUME_2 = "volume-1f3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";

    @Override
    public MavenArtifactUrlReference getKarafDistribution() {
        return distribution();
    }

    @Configuration
    @Override
    public Option[] config() {
        return combine(super.config(), sandboxProfile());
    }

    @After
    public void noMountLeftBehind() {
        // a failed real-mount test must not leave its attachments or mounts to the next one
        if (sandboxMounts().isEmpty()) {
            return;
        }
        for (String instance : List.of("i1", "i2", "test")) {
            for (String export : List.of(EXPORT, "registry-b.example.org/volume-b")) {
                for (String volume : List.of(VOLUME, VOLUME_2)) {
                    try {
                        executeCommand("volume:disconnect " + instance + " '" + connectionInfo(export, volume) + "'");
                    } catch (RuntimeException e) {
                        // not attached
                    }
                }
            }
        }
        for (String line : sandboxMounts()) {
            String dir = line.split(" ")[0];
            try {
                new ProcessBuilder("/usr/bin/umount", "-l", dir).inheritIO().start().waitFor();
            } catch (Exception e) {
                System.err.println("could not unmount " + dir + ": " + e);
            }
        }
    }

    @Test
    public void t01_bootLogHasNoError() {
        assertNoLogErrors();
    }

    @Test
    public void t02_everyBundleIsActive() {
        List<String> notActive = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (Bundle b : bundleContext.getBundles()) {
            names.add(b.getSymbolicName());
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (b.getState() != expected) {
                notActive.add(b.getSymbolicName() + " state " + b.getState());
            }
        }
        assertEquals(List.of(), notActive);
        assertTrue("all volumedriver bundles installed: " + names, names.containsAll(BUNDLES));
        long jna = names.stream().filter(n -> n.equals("com.sun.jna")).count();
        assertEquals("exactly one JNA bundle", 1, jna);
    }

    @Test
    public void t03_everyComponentIsSatisfied() {
        ServiceComponentRuntime scr = getOsgiService(ServiceComponentRuntime.class);
        List<String> problems = new ArrayList<>();
        Set<String> ours = new TreeSet<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            String name = description.bundle.symbolicName + "/" + description.name;
            boolean mine = description.bundle.symbolicName.startsWith("org.volumedriver.");
            if (!scr.isComponentEnabled(description)) {
                if (mine) {
                    problems.add(name + " disabled");
                }
                continue;
            }
            var configurations = scr.getComponentConfigurationDTOs(description);
            if (configurations.isEmpty()) {
                problems.add(name + " has no configuration (required configuration missing)");
            }
            for (ComponentConfigurationDTO c : configurations) {
                if (c.state != ComponentConfigurationDTO.SATISFIED && c.state != ComponentConfigurationDTO.ACTIVE) {
                    problems.add(name + " state " + c.state);
                }
            }
            if (mine) {
                ours.add(description.bundle.symbolicName);
            }
        }
        assertEquals(List.of(), problems);
        assertEquals("bundles with DS components",
                Set.of("org.volumedriver.exec", "org.volumedriver.libvirt", "org.volumedriver.quobyte",
                        "org.volumedriver.quobyte.shell", "org.volumedriver.monitoring"), ours);
    }

    @Test
    public void t04_everyServiceIsRegistered() throws Exception {
        VolumeDriver quobyte = getOsgiService(VolumeDriver.class, "(volume.driver.type=quobyte)", 10_000);
        assertNotNull(quobyte);
        assertNotNull(getOsgiService(CommandExecutor.class));
        assertNotNull(getOsgiService(DiskXmlService.class));
        assertNotNull(getOsgiService(VolumeAttacher.class));
        assertNotNull(getOsgiService(QuobyteAdmin.class));
        VolumeDrivers drivers = getOsgiService(VolumeDrivers.class);
        assertEquals(Set.of("quobyte"), Set.copyOf(drivers.types()));
        assertTrue(drivers.driver("quobyte") != null);
    }

    @Test
    public void t05_sandboxProfileIsInForce() throws Exception {
        assertEquals("sandbox", System.getProperty("volumedriver.profile"));
        Dictionary<String, Object> libvirt = configurationAdmin.getConfiguration("org.volumedriver.libvirt", null).getProperties();
        assertEquals("test:///default", libvirt.get("uri"));
        Map<String, String> quobyte = getOsgiService(QuobyteAdmin.class).configuration();
        assertEquals(sandboxHome().resolve("mnt").toString(), quobyte.get("mount.base"));
        assertEquals(sandboxHome().resolve("standin/quobyte-standin").toString(), executable("mount.quobyte"));
    }

    @Test
    public void t06_quobyteShellBundleIsActiveAndOwnsTheQuobyteScope() throws Exception {
        Bundle quobyteShell = findBundleByName("org.volumedriver.quobyte.shell");
        assertNotNull("the Quobyte shell bundle is installed", quobyteShell);
        assertEquals("the Quobyte shell bundle is ACTIVE", Bundle.ACTIVE, quobyteShell.getState());
        for (String name : List.of("mounts", "heal", "systemd", "config")) {
            Object command = sessionFactory.getRegistry().getCommand("quobyte", name);
            assertNotNull("quobyte:" + name + " is registered", command);
            Class<?> action = (Class<?>) command.getClass().getMethod("getActionClass").invoke(command);
            assertEquals("quobyte:" + name + " comes from the Quobyte shell", quobyteShell, FrameworkUtil.getBundle(action));
        }
        // its view of volume:validate: an OSGi service of that bundle, used by the generic command
        ServiceReference<?>[] views = bundleContext.getServiceReferences("org.volumedriver.shell.support.ValidationView", null);
        assertNotNull("a ValidationView is registered", views);
        assertEquals(1, views.length);
        assertEquals(quobyteShell, views[0].getBundle());
        String validated = executeCommand("volume:validate '" + connectionInfo(EXPORT, VOLUME) + "'");
        assertTrue(validated, validated.contains("Mount directory : " + sandboxHome().resolve("mnt")));
        assertTrue(validated, validated.contains("Volume file     : " + sandboxHome().resolve("mnt")));
    }

    @Test
    public void t10_volumeDriversListsQuobyte() {
        String out = executeCommand("volume:drivers");
        assertTrue(out, out.contains("quobyte"));
    }

    @Test
    public void t11_validateAcceptsGoodConnectionInfo() {
        String out = executeCommand("volume:validate '" + connectionInfo(EXPORT, VOLUME) + "'");
        assertTrue(out, out.contains("Valid"));
    }

    @Test
    public void t11_validateReadsConnectionInfoFromAFile() throws Exception {
        Path file = sandboxHome().resolve("connection-info.json");
        Files.writeString(file, connectionInfo(EXPORT, VOLUME), StandardCharsets.UTF_8);
        String out = executeCommand("volume:validate --file " + file);
        assertTrue(out, out.contains("Valid"));
        Files.writeString(file, connectionInfo(EXPORT, VOLUME).replace("\"name\"", "\"format\":\"vmdk\",\"name\""), StandardCharsets.UTF_8);
        assertErrorCode("UNSUPPORTED_FORMAT", commandError("volume:validate --file " + file));
        assertErrorCode("INVALID_ARGUMENT", commandError("volume:validate --file " + sandboxHome().resolve("missing.json")));
    }

    @Test
    public void t12_badInputIsOneErrorLineAndRunsNothing() {
        long runsBefore = mountRuns();
        List<String> before = sandboxMounts();
        String good = connectionInfo(EXPORT, VOLUME);

        // hostile JSON: duplicate keys, trailing data, deep nesting, not JSON at all
        assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:validate '"
                + "{\"driver_volume_type\":\"quobyte\",\"driver_volume_type\":\"quobyte\",\"data\":{\"export\":\"quobyte://h/v\",\"name\":\"" + VOLUME + "\"}}'"));
        assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:validate '" + good + " {}'"));
        assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:validate '"
                + "{\"driver_volume_type\":\"quobyte\",\"data\":" + "[".repeat(40) + "]".repeat(40) + "}'"));
        assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:validate 'driver_volume_type=quobyte'"));
        // option and shell injection through the export
        String dash = commandError("volume:connect i1 '" + good.replace("quobyte://" + EXPORT, "-o allow_other/v") + "'");
        assertErrorCode("INVALID_CONNECTION_INFO", dash);
        assertTrue(dash, dash.contains("data.export"));
        assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:connect i1 '"
                + good.replace(EXPORT, "h/v;reboot") + "'"));
        // unknown driver
        assertErrorCode("UNKNOWN_DRIVER", commandError("volume:connect i1 '" + good.replace("\"quobyte\",\"data\"", "\"nfs\",\"data\"") + "'"));
        // format vmdk
        String vmdk = commandError("volume:connect i1 '" + good.replace("\"name\"", "\"format\":\"vmdk\",\"name\"") + "'");
        assertErrorCode("UNSUPPORTED_FORMAT", vmdk);
        assertTrue(vmdk, vmdk.contains("vmdk"));
        // a name that leaves the mount directory
        String traversal = commandError("volume:connect i1 '" + good.replace(VOLUME, "../../etc/shadow") + "'");
        assertTrue(traversal, traversal.startsWith("Error [INVALID_CONNECTION_INFO]") || traversal.startsWith("Error [UNSAFE_PATH]"));
        assertTrue(traversal, traversal.contains("data.name"));
        assertFalse("the bad value is not echoed: " + traversal, traversal.contains("shadow"));
        assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:disk-xml '" + good.replace(VOLUME, "../" + VOLUME) + "'"));

        assertEquals("nothing mounted", before, sandboxMounts());
        assertEquals("mount.quobyte never ran", runsBefore, mountRuns());
    }

    @Test
    public void t13_diskXmlPointsIntoTheMountDirectory() throws Exception {
        String out = executeCommand("volume:disk-xml --dev vdb --bus virtio '" + connectionInfo(EXPORT, VOLUME) + "'");
        String md5 = String.format("%032x", new BigInteger(1,
                MessageDigest.getInstance("MD5").digest(EXPORT.getBytes(StandardCharsets.US_ASCII))));
        Path file = sandboxHome().resolve("mnt").resolve(md5).resolve(VOLUME);
        assertTrue(out, out.contains("<disk"));
        assertTrue(out, out.contains("type=\"file\""));
        assertTrue(out, out.contains("type=\"raw\""));
        assertTrue(out, out.contains("cache=\"none\""));
        assertTrue(out, out.contains(file.toString()));
        assertTrue(out, out.contains("dev=\"vdb\""));
        assertEquals("disk-xml mounts nothing", List.of(), sandboxMounts());
    }

    @Test
    public void t14a_systemdAutoDecidesNoScopeOnAHostWithoutSystemd() throws Exception {
        executeCommand("config:edit org.volumedriver.quobyte; config:property-set systemd.mode auto; config:update", ADMIN, MANAGER);
        try {
            awaitConfig("systemd.mode", "auto");
            String systemd = executeCommand("quobyte:systemd");
            // this host's PID 1 is not systemd; itests/systemd shows the opposite answer under a real one
            assertTrue(systemd, systemd.contains("Systemd scope : not used"));
            assertTrue(systemd, systemd.contains("Mode          : auto"));
            assertTrue(systemd, systemd.contains("/run/systemd/system does not exist"));
        } finally {
            executeCommand("config:edit org.volumedriver.quobyte; config:property-set systemd.mode off; config:update", ADMIN, MANAGER);
            awaitConfig("systemd.mode", "off");
        }
    }

    @Test
    public void t14_administratorViews() {
        String executor = executeCommand("volume:executor");
        assertTrue(executor, executor.contains(sandboxHome().resolve("standin/quobyte-standin").toString()));
        assertTrue(executor, executor.contains("umount"));
        String systemd = executeCommand("quobyte:systemd");
        assertTrue(systemd, systemd.contains("off"));
        String config = executeCommand("quobyte:config");
        assertTrue(config, config.contains("mount.base") && config.contains(sandboxHome().resolve("mnt").toString()));
        assertTrue(executeCommand("volume:counters").contains("quobyte"));
        assertTrue(executeCommand("volume:mounts").contains("Mount directory"));
        assertTrue(executeCommand("quobyte:mounts").contains("Mount directory"));
        assertTrue(executeCommand("volume:attachments").contains("Instance"));
        String unknown = executeCommand("quobyte:heal " + sandboxHome().resolve("mnt").resolve("0123456789abcdef0123456789abcdef"));
        assertTrue(unknown, unknown.contains("NOT_MOUNTED"));
        String outside = commandError("quobyte:heal /etc");
        assertTrue(outside, outside.startsWith("Error ["));
    }

    @Test
    public void t20_liveConfigurationChangeTakesEffectWithoutRestart() throws Exception {
        ServiceReference<CommandExecutor> ref = bundleContext.getServiceReference(CommandExecutor.class);
        Object serviceId = ref.getProperty(Constants.SERVICE_ID);
        String original = executable("mount.quobyte");
        Path copy = sandboxHome().resolve("standin2/quobyte-standin");
        Files.createDirectories(copy.getParent());
        Files.copy(Path.of(original), copy, StandardCopyOption.REPLACE_EXISTING);

        org.osgi.service.cm.Configuration cfg = configurationAdmin.getConfiguration("org.volumedriver.exec", null);
        try {
            update(cfg, "command.mount.quobyte.executable", copy.toString());
            awaitExecutable(copy.toString());
            assertTrue(executeCommand("volume:executor").contains(copy.toString()));
            assertEquals("same service, no restart", serviceId,
                    bundleContext.getServiceReference(CommandExecutor.class).getProperty(Constants.SERVICE_ID));

            // a bad value is refused and the previous configuration stays in force
            update(cfg, "command.mount.quobyte.executable", "relative/quobyte-standin");
            Thread.sleep(1500);
            assertEquals(copy.toString(), executable("mount.quobyte"));
            assertEquals(serviceId, bundleContext.getServiceReference(CommandExecutor.class).getProperty(Constants.SERVICE_ID));
        } finally {
            update(cfg, "command.mount.quobyte.executable", original);
            awaitExecutable(original);
        }
        assertNotEquals(original, copy.toString());
    }

    @Test
    public void t30_realConnectCountsAttachmentsAndUnmountsAfterTheLast() {
        requireRealMounts();
        String info = connectionInfo(EXPORT, VOLUME);
        String info2 = connectionInfo(EXPORT, VOLUME_2);
        String out = executeCommand("volume:connect i1 '" + info + "'");
        assertTrue(out, out.contains("Connected"));
        List<String> mounted = sandboxMounts();
        assertEquals(mounted.toString(), 1, mounted.size());
        assertTrue(mounted.get(0), mounted.get(0).contains(" fuse.quobyte quobyte@"));

        executeCommand("volume:connect i1 '" + info + "'");          // repeated: harmless
        executeCommand("volume:connect i2 '" + info2 + "'");         // same export: no new mount
        assertEquals(mounted, sandboxMounts());
        String mounts = executeCommand("volume:mounts --no-format");
        assertTrue(mounts, mounts.matches("(?s).*\tHEALTHY\t\\s*2\t.*"));
        String attachments = executeCommand("volume:attachments --no-format");
        assertTrue(attachments, attachments.contains("i1") && attachments.contains("i2"));

        assertTrue(executeCommand("volume:disconnect i1 '" + info + "'").contains("Disconnected"));
        assertEquals("still used by i2", mounted, sandboxMounts());
        String last = executeCommand("volume:disconnect i2 '" + info2 + "'");
        assertTrue(last, last.contains("UNMOUNTED"));
        assertEquals(List.of(), sandboxMounts());
    }

    @Test
    public void t31_realAttachToTheTestDomainLeavesNothingHalfDone() {
        requireRealMounts();
        String info = connectionInfo(EXPORT, VOLUME);
        String out;
        try {
            out = executeCommand("volume:attach --config --dev vdb test '" + info + "'");
        } catch (RuntimeException e) {
            // libvirt's test driver may refuse the device change: then the error is one typed line
            // and the volume is disconnected again
            out = e.getMessage();
            System.err.println("attach to libvirt's test driver refused: " + out);
            assertTrue(out, out.startsWith("Error [") && !out.contains("\n"));
            assertEquals("attach undone", List.of(), sandboxMounts());
            return;
        }
        assertTrue(out, out.contains("Attached"));
        assertEquals(1, sandboxMounts().size());
        // the next command sees the definition the attach changed: the disk is found and removed
        String detached = executeCommand("volume:detach --config test '" + info + "'");
        assertTrue(detached, detached.contains(": DETACHED"));
        assertEquals(List.of(), sandboxMounts());
    }

    @Test
    public void t32_realMountLimitChangedFromTheShellAppliesLive() throws Exception {
        requireRealMounts();
        String a = connectionInfo(EXPORT, VOLUME);
        String b = connectionInfo("registry-b.example.org/volume-b", VOLUME);
        Object driverId = bundleContext.getServiceReferences(VolumeDriver.class, "(volume.driver.type=quobyte)")
                .iterator().next().getProperty(Constants.SERVICE_ID);
        executeCommand("config:edit org.volumedriver.quobyte; config:property-set max.mounts 1; config:update", ADMIN, MANAGER);
        try {
            awaitConfig("max.mounts", "1");
            executeCommand("volume:connect i1 '" + a + "'");
            String refused = commandError("volume:connect i1 '" + b + "'");
            assertErrorCode("LIMIT_EXCEEDED", refused);
            assertEquals("the refused export was not mounted", 1, sandboxMounts().size());
            assertEquals("same driver service, no restart", driverId, bundleContext
                    .getServiceReferences(VolumeDriver.class, "(volume.driver.type=quobyte)").iterator().next()
                    .getProperty(Constants.SERVICE_ID));
        } finally {
            executeCommand("config:edit org.volumedriver.quobyte; config:property-set max.mounts 128; config:update", ADMIN, MANAGER);
            awaitConfig("max.mounts", "128");
        }
        executeCommand("volume:connect i1 '" + b + "'");
        assertEquals(2, sandboxMounts().size());
        executeCommand("volume:disconnect i1 '" + a + "'");
        executeCommand("volume:disconnect i1 '" + b + "'");
        assertEquals(List.of(), sandboxMounts());
    }

    @Test
    public void t33_realStaleMountIsReportedAndHealedFromTheShell() throws Exception {
        requireRealMounts();
        String info = connectionInfo(EXPORT, VOLUME);
        executeCommand("volume:connect i1 '" + info + "'");
        String dir = sandboxMounts().get(0).split(" ")[0];
        // the client daemon dies: the mount stays in the table, its root answers ENOTCONN
        Path pidFile = sandboxHome().resolve("standin/store").resolve(EXPORT.replaceAll("[/:,\\[\\]|]", "_") + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.currentTimeMillis() + 10_000;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        // not forced: a stale mount in use is left alone (guests keep what they have)
        assertErrorCode("STALE_MOUNT_IN_USE", commandError("quobyte:heal " + dir));
        assertTrue(executeCommand("volume:mounts --no-format").contains("STALE"));
        String healed = executeCommand("quobyte:heal --force " + dir, 60_000L, false);
        assertTrue(healed, healed.contains("HEALTHY"));
        assertTrue(executeCommand("volume:mounts --no-format").contains("HEALTHY"));
        assertEquals(1, sandboxMounts().size());
        assertTrue(executeCommand("volume:disconnect i1 '" + info + "'").contains("UNMOUNTED"));
        assertEquals(List.of(), sandboxMounts());
    }

    // ---- helpers ----

    /** The roles of the distribution's login (admingroup): config:* is guarded by Karaf's command ACLs. */
    private static final org.apache.karaf.jaas.boot.principal.RolePrincipal ADMIN =
            new org.apache.karaf.jaas.boot.principal.RolePrincipal("admin");
    private static final org.apache.karaf.jaas.boot.principal.RolePrincipal MANAGER =
            new org.apache.karaf.jaas.boot.principal.RolePrincipal("manager");

    private void awaitConfig(String key, String value) throws InterruptedException {
        QuobyteAdmin admin = getOsgiService(QuobyteAdmin.class);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!value.equals(admin.configuration().get(key)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(value, admin.configuration().get(key));
    }

    private String executable(String command) {
        for (CommandDefinition d : getOsgiService(CommandExecutor.class).allowlist()) {
            if (d.name().equals(command)) {
                return d.executable();
            }
        }
        throw new AssertionError("no command " + command);
    }

    private long mountRuns() {
        var stats = getOsgiService(CommandExecutor.class).statistics().get("mount.quobyte");
        return stats == null ? 0 : stats.runs();
    }

    private void awaitExecutable(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!expected.equals(executable("mount.quobyte")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(expected, executable("mount.quobyte"));
    }

    private static void update(org.osgi.service.cm.Configuration cfg, String key, String value) throws Exception {
        Dictionary<String, Object> props = cfg.getProperties();
        assertFalse(cfg.getAttributes().contains(ConfigurationAttribute.READ_ONLY));
        props.put(key, value);
        cfg.update(props);
    }
}
