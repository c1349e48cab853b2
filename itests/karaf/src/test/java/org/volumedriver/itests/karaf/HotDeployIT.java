package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Hot deployment into a STOCK Karaf 4.4.10, as an operator does it: {@code feature:repo-add} +
 * {@code feature:install volumedriver}; then (under scripts/test, with real FUSE mounts from the
 * stand-in) {@code feature:uninstall} / reinstall and {@code bundle:update} of the Quobyte bundle
 * while volumes are attached: afterwards attachments and mounts are exactly as before.
 *
 * <p>The operator's configuration files (here: the sandbox ones) are in etc/ before the install;
 * the feature's defaults must not overwrite them. This probe uses no class of a volumedriver
 * bundle (its mount-table parser is the probe's own copy), so that uninstalling the features
 * cannot pull the ground from under the test itself.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class HotDeployIT extends VolumedriverTestSupport {

    /** The roles of the documented login (admingroup): feature:* and bundle:* are guarded by command ACLs. */
    static final org.apache.karaf.jaas.boot.principal.RolePrincipal ADMIN =
            new org.apache.karaf.jaas.boot.principal.RolePrincipal("admin");
    static final org.apache.karaf.jaas.boot.principal.RolePrincipal MANAGER =
            new org.apache.karaf.jaas.boot.principal.RolePrincipal("manager");

    static final String EXPORT_A = "registry-a.example.org:7861/hot-a";
    static final String EXPORT_B = "[fd00::1]:7861,registry-b.example.org/hot-b";
    static final String VOLUME_1 = "volume-2a3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";
    static final String VOLUME_2 = "volume-3a3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";

    @Configuration
    @Override
    public Option[] config() {
        // the stock distribution (KarafTestSupport's default) with the operator's files in etc/
        return combine(super.config(), sandboxProfile());
    }

    @After
    public void cleanUp() {
        if (sandboxMounts().isEmpty()) {
            return;
        }
        try {
            installed();
            for (String[] a : attachments()) {
                try {
                    executeCommand("volume:disconnect " + a[1] + " '" + a[2] + "'");
                } catch (RuntimeException e) {
                    System.err.println("cleanup: " + e.getMessage());
                }
            }
        } catch (Exception e) {
            System.err.println("cleanup: " + e);
        }
        for (String line : sandboxMounts()) {
            try {
                new ProcessBuilder("/usr/bin/umount", "-l", line.split(" ")[0]).inheritIO().start().waitFor();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    @Test
    public void t1_hotDeployIntoStockKaraf() throws Exception {
        assertNull("a stock Karaf has no JNA of its own", findBundleByName("com.sun.jna"));
        Path etc = Paths.get(System.getProperty("karaf.etc"));
        String operatorsFile = Files.readString(etc.resolve("org.volumedriver.libvirt.cfg"), StandardCharsets.UTF_8);

        executeCommand("feature:repo-add " + FEATURES_URL, ADMIN, MANAGER);
        long start = System.nanoTime();
        // -r (no automatic refresh): a refresh would restart this test's own probe bundle
        executeCommand("feature:install -r volumedriver", ADMIN, MANAGER);
        installed();
        System.err.printf("feature:install volumedriver into a running stock Karaf: %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertEquals("an operator's existing configuration file is never overwritten", operatorsFile,
                Files.readString(etc.resolve("org.volumedriver.libvirt.cfg"), StandardCharsets.UTF_8));
        assertTrue(Files.readString(etc.resolve("org.volumedriver.libvirt.cfg")).contains("test:///default"));
        int jna = 0;
        for (Bundle b : bundleContext.getBundles()) {
            if ("com.sun.jna".equals(b.getSymbolicName())) {
                jna++;
            }
        }
        assertEquals("exactly one JNA bundle", 1, jna);
        for (String bsn : BUNDLES) {
            assertEquals(bsn, Bundle.ACTIVE, findBundleByName(bsn).getState());
        }
        assertComponentsSatisfied();
        assertTrue(executeCommand("volume:drivers").contains("quobyte"));
        assertNoLogErrors();
    }

    @Test
    public void t2_uninstallReinstallAndUpdateKeepLiveAttachments() throws Exception {
        requireRealMounts();
        installed();
        List<String> infos = List.of(connectionInfo(EXPORT_A, VOLUME_1), connectionInfo(EXPORT_A, VOLUME_2),
                connectionInfo(EXPORT_B, VOLUME_1));
        executeCommand("volume:connect vm-1 '" + infos.get(0) + "'");
        executeCommand("volume:connect vm-2 '" + infos.get(1) + "'");
        executeCommand("volume:connect vm-1 '" + infos.get(2) + "'");
        List<String> mounts = sandboxMounts();
        assertEquals(mounts.toString(), 2, mounts.size());
        String attachments = executeCommand("volume:attachments --no-format");
        String table = mountsTable();
        assertTrue(table, table.contains("HEALTHY"));
        assertEquals(attachments, 3, attachments.strip().split("\n").length);

        // 1. the whole feature goes away: the mounts stay (the guests keep their storage)
        executeCommand("feature:uninstall -r volumedriver", ADMIN, MANAGER);
        for (String bsn : BUNDLES) {
            assertNull(bsn + " uninstalled", findBundleByName(bsn));
        }
        assertEquals("mounts survive the uninstall", mounts, sandboxMounts());

        // 2. reinstall: the journal and the mount table give back exactly the same state
        executeCommand("feature:install -r volumedriver", ADMIN, MANAGER);
        installed();
        assertEquals(mounts, sandboxMounts());
        assertEquals(attachments, executeCommand("volume:attachments --no-format"));
        assertEquals(table, mountsTable());

        // 3. bundle:update of the Quobyte bundle while attached
        long before = findBundleByName("org.volumedriver.quobyte").getLastModified();
        executeCommand("bundle:update org.volumedriver.quobyte", ADMIN, MANAGER);
        assertTrue("bundle updated", findBundleByName("org.volumedriver.quobyte").getLastModified() > before);
        installed();
        assertEquals(mounts, sandboxMounts());
        assertEquals(attachments, executeCommand("volume:attachments --no-format"));
        assertEquals(table, mountsTable());

        // and the state is live, not just displayed: the last detach of each export unmounts it
        executeCommand("volume:disconnect vm-1 '" + infos.get(0) + "'");
        assertEquals("vm-2 still uses export A", mounts, sandboxMounts());
        executeCommand("volume:disconnect vm-2 '" + infos.get(1) + "'");
        executeCommand("volume:disconnect vm-1 '" + infos.get(2) + "'");
        assertEquals(List.of(), sandboxMounts());
    }

    // ---- helpers ----

    /** Waits until the volumedriver feature is installed and its services and commands are up. */
    private void installed() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        for (String filter : List.of("(&(objectClass=org.volumedriver.spi.VolumeDriver)(volume.driver.type=quobyte))",
                "(objectClass=org.volumedriver.spi.VolumeDrivers)", "(objectClass=org.volumedriver.libvirt.VolumeAttacher)")) {
            while (bundleContext.getServiceReferences((String) null, filter) == null) {
                assertTrue("no service " + filter, System.currentTimeMillis() < deadline);
                Thread.sleep(100);
            }
        }
        for (String command : List.of("volume:drivers", "volume:connect", "volume:disconnect", "volume:mounts",
                "volume:attachments", "quobyte:mounts", "quobyte:heal")) {
            String[] scopeAndName = command.split(":");
            while (sessionFactory.getRegistry().getCommand(scopeAndName[0], scopeAndName[1]) == null) {
                assertTrue("no command " + command, System.currentTimeMillis() < deadline);
                Thread.sleep(100);
            }
        }
    }

    /**
     * volume:mounts without its "since" column: that is when the mount entered its current state
     * as this driver instance observed it, and a restarted driver observes it anew.
     */
    private String mountsTable() {
        return executeCommand("volume:mounts --no-format").lines()
                .map(l -> l.split("\t", -1))
                .map(f -> f.length > 5 ? String.join("\t", java.util.Arrays.copyOfRange(f, 0, 5)) + "\t" + f[6] : String.join("\t", f))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /** (driver, instance, connection info) of every attachment, from the shell. */
    private List<String[]> attachments() {
        List<String[]> result = new ArrayList<>();
        for (String export : List.of(EXPORT_A, EXPORT_B)) {
            for (String volume : List.of(VOLUME_1, VOLUME_2)) {
                for (String instance : List.of("vm-1", "vm-2")) {
                    result.add(new String[] {"quobyte", instance, connectionInfo(export, volume)});
                }
            }
        }
        return result;
    }

    /**
     * Every volumedriver component satisfied or active. Read reflectively: a typed use would wire
     * this probe to the scr bundle, which the uninstall below removes (and would refresh the probe).
     */
    private void assertComponentsSatisfied() throws Exception {
        var ref = bundleContext.getServiceReference("org.osgi.service.component.runtime.ServiceComponentRuntime");
        assertNotNull("SCR runs", ref);
        Object scr = bundleContext.getService(ref);
        try {
            Class<?> api = ref.getBundle().loadClass("org.osgi.service.component.runtime.ServiceComponentRuntime");
            Class<?> descriptionType = ref.getBundle().loadClass("org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
            List<String> problems = new ArrayList<>();
            int ours = 0;
            for (Object d : (java.util.Collection<?>) api.getMethod("getComponentDescriptionDTOs", Bundle[].class)
                    .invoke(scr, (Object) new Bundle[0])) {
                Object bundle = d.getClass().getField("bundle").get(d);
                String bsn = (String) bundle.getClass().getField("symbolicName").get(bundle);
                String name = (String) d.getClass().getField("name").get(d);
                if (!bsn.startsWith("org.volumedriver.")) {
                    continue;
                }
                ours++;
                java.util.Collection<?> configurations = (java.util.Collection<?>) api
                        .getMethod("getComponentConfigurationDTOs", descriptionType).invoke(scr, d);
                if (configurations.isEmpty()) {
                    problems.add(name + " without configuration");
                }
                for (Object c : configurations) {
                    int state = c.getClass().getField("state").getInt(c);
                    if (state != SATISFIED && state != ACTIVE) {
                        problems.add(name + " state " + state);
                    }
                }
            }
            assertEquals(List.of(), problems);
            assertTrue("volumedriver components found: " + ours, ours >= 3);
        } finally {
            bundleContext.ungetService(ref);
        }
    }

    /** ComponentConfigurationDTO.SATISFIED and ACTIVE (OSGi Declarative Services 1.3+). */
    private static final int SATISFIED = 4;
    private static final int ACTIVE = 8;
}
