package org.volumedriver.exec.internal;

import java.util.List;
import java.util.Map;

/**
 * The allowlist the product ships in {@code features/src/main/cfg/org.volumedriver.exec.cfg},
 * written out here by hand: the commands of the Quobyte driver and the patterns their forms name.
 * {@link ShippedConfigurationTest} holds the file to exactly these values.
 */
final class ShippedAllowlist {

    /** A Quobyte export after {@code quobyte://} was stripped: registries, a slash, the volume. */
    static final String EXPORT_PATTERN =
            "[A-Za-z0-9_\\[][A-Za-z0-9._:,\\[\\]-]{0,4200}/[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

    /** A mount directory: an absolute path without dot components ending in an md5 hex name. */
    static final String MOUNT_DIR_PATTERN = ExecutorSettings.NO_DOT_COMPONENTS + "/[A-Za-z0-9._/-]{1,3000}/[0-9a-f]{32}";

    static final String SCOPE_UNIT_PATTERN = "volumedriver-quobyte-[0-9a-f]{32}\\.scope";

    /** The abort file of one FUSE connection, named by its device number. */
    static final String FUSE_ABORT_PATTERN = "/sys/fs/fuse/connections/[0-9]{1,10}/abort";

    /** The logical names, in the shipped order. */
    static final List<String> NAMES = List.of("mount.quobyte", "umount", "systemctl", "systemctl-scope", "systemd-run",
            "fusectl-mount", "fuse-abort");

    private ShippedAllowlist() {
    }

    /** @return a builder holding the shipped commands and patterns, and the default limits */
    static ExecutorSettings.Builder builder() {
        return ExecutorSettings.builder()
                .pattern("export", EXPORT_PATTERN)
                .pattern("mountdir", MOUNT_DIR_PATTERN)
                .pattern("scopeunit", SCOPE_UNIT_PATTERN)
                .pattern("fuseabort", FUSE_ABORT_PATTERN)
                .command("mount.quobyte", "/usr/bin/mount.quobyte", true, List.of(
                        List.of("--disable-xattrs", "{export}", "{mountdir}"),
                        List.of("--disable-xattrs", "{export}", "{mountdir}", "-c", "{path}")))
                .command("umount", "/usr/bin/umount", true, List.of(
                        List.of("--no-canonicalize", "{mountdir}"),
                        List.of("--no-canonicalize", "-l", "{mountdir}")))
                .command("systemctl", "/usr/bin/systemctl", false, List.of(
                        List.of("is-system-running")))
                .command("systemctl-scope", "/usr/bin/systemctl", true, List.of(
                        List.of("stop", "{scopeunit}"),
                        List.of("reset-failed", "{scopeunit}")))
                .command(ExecutorSettings.SCOPE_COMMAND, "/usr/bin/systemd-run", true, List.of())
                .command("fusectl-mount", "/usr/bin/mount", true, List.of(
                        List.of("-t", "fusectl", "none", "/sys/fs/fuse/connections")))
                .command("fuse-abort", "/usr/bin/tee", true, List.of(
                        List.of("{fuseabort}")));
    }

    /** @return the same allowlist as configuration properties, as a {@code .cfg} file hands them over */
    static Map<String, Object> properties() {
        return Map.ofEntries(
                Map.entry("commands", "mount.quobyte, umount, systemctl, systemctl-scope, systemd-run, fusectl-mount, fuse-abort"),
                Map.entry("pattern.export", EXPORT_PATTERN),
                Map.entry("pattern.mountdir", MOUNT_DIR_PATTERN),
                Map.entry("pattern.scopeunit", SCOPE_UNIT_PATTERN),
                Map.entry("pattern.fuseabort", FUSE_ABORT_PATTERN),
                Map.entry("command.mount.quobyte.executable", "/usr/bin/mount.quobyte"),
                Map.entry("command.mount.quobyte.privileged", "true"),
                Map.entry("command.mount.quobyte.forms",
                        "--disable-xattrs {export} {mountdir} ;; --disable-xattrs {export} {mountdir} -c {path}"),
                Map.entry("command.umount.executable", "/usr/bin/umount"),
                Map.entry("command.umount.privileged", "true"),
                Map.entry("command.umount.forms", "--no-canonicalize {mountdir} ;; --no-canonicalize -l {mountdir}"),
                Map.entry("command.systemctl.executable", "/usr/bin/systemctl"),
                Map.entry("command.systemctl.privileged", "false"),
                Map.entry("command.systemctl.forms", "is-system-running"),
                Map.entry("command.systemctl-scope.executable", "/usr/bin/systemctl"),
                Map.entry("command.systemctl-scope.privileged", "true"),
                Map.entry("command.systemctl-scope.forms", "stop {scopeunit} ;; reset-failed {scopeunit}"),
                Map.entry("command.systemd-run.executable", "/usr/bin/systemd-run"),
                Map.entry("command.systemd-run.privileged", "true"),
                Map.entry("command.fusectl-mount.executable", "/usr/bin/mount"),
                Map.entry("command.fusectl-mount.privileged", "true"),
                Map.entry("command.fusectl-mount.forms", "-t fusectl none /sys/fs/fuse/connections"),
                Map.entry("command.fuse-abort.executable", "/usr/bin/tee"),
                Map.entry("command.fuse-abort.privileged", "true"),
                Map.entry("command.fuse-abort.forms", "{fuseabort}"));
    }
}
