package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.exec.internal.TestPrograms.script;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.spi.InvalidConfigurationException;

class ExecutorComponentTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final String DIR = "/srv/mnt/c94ed34ada0acf45c1213beb1fc52ce6";

    @TempDir
    Path dir;

    private final ExecutorComponent component = new ExecutorComponent();

    @AfterEach
    void tearDown() {
        component.deactivate();
    }

    /** The typed configuration as DS builds it: the property named after the method, else the default. */
    static ExecutorComponent.Config config(Map<String, Object> properties) {
        return (ExecutorComponent.Config) Proxy.newProxyInstance(ExecutorComponent.Config.class.getClassLoader(),
                new Class<?>[] { ExecutorComponent.Config.class }, (proxy, method, args) -> {
                    Object value = properties.get(key(method));
                    if (value == null) {
                        return method.getDefaultValue();
                    }
                    Class<?> type = method.getReturnType();
                    if (type.isArray() && !value.getClass().isArray()) {
                        Object array = Array.newInstance(type.getComponentType(), 1);
                        Array.set(array, 0, value);
                        return array;
                    }
                    if (type == int.class) {
                        return Integer.valueOf(value.toString());
                    }
                    if (type == long.class) {
                        return Long.valueOf(value.toString());
                    }
                    if (type == boolean.class) {
                        return Boolean.valueOf(value.toString());
                    }
                    return value;
                });
    }

    /** DS 1.4 name mapping: {@code $_$} is '-', {@code __} is '_', {@code _} is '.'. */
    static String key(Method method) {
        return method.getName().replace("$_$", "\u0000").replace("__", "\u0001").replace('_', '.')
                .replace('\u0000', '-').replace('\u0001', '_');
    }

    @Test
    void defaultConfigurationIsTheSecureDefaultAllowlist() throws Exception {
        ExecutorSettings fromConfig = ExecutorComponent.toSettings(config(Map.of()), Map.of());
        assertEquals(ExecutorSettings.defaults(), fromConfig);
        Method m = ExecutorComponent.Config.class.getMethod("command_systemd$_$run_executable");
        assertEquals("command.systemd-run.executable", key(m));
    }

    @Test
    void commandListFromACfgFileIsOneCommaSeparatedString() throws Exception {
        // Felix fileinstall hands "commands = umount, systemctl" over as a single string
        ExecutorSettings fromCfg = ExecutorComponent.toSettings(
                config(Map.of("commands", "umount, systemctl")), Map.of());
        ExecutorSettings fromArray = ExecutorComponent.toSettings(
                config(Map.of("commands", new String[] { "umount", "systemctl" })), Map.of());
        assertEquals(List.of("umount", "systemctl"), fromCfg.commands().stream().map(ExecutorSettings.CommandSpec::name).toList());
        assertEquals(fromArray, fromCfg);
        assertThrows(InvalidConfigurationException.class, () -> ExecutorComponent.toSettings(
                config(Map.of("commands", "umount, no-such-command")), Map.of()),
                "an unknown name inside the list is still refused");
    }

    @Test
    void modifiedChangesExecutableAndRulesLive() throws Exception {
        Path first = script(dir, "first", "echo first");
        Path second = script(dir, "second", "echo second");
        Map<String, Object> props = new HashMap<>();
        props.put("command.umount.executable", first.toString());
        component.activate(config(props), props);
        assertEquals("first\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)).stdout());
        assertEquals("first\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", "-l", DIR)).stdout());

        props.put("command.umount.executable", second.toString());
        props.put("command.umount.forms", "--no-canonicalize {mountdir}");
        component.modified(config(props), props);
        assertEquals("second\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)).stdout());
        assertThrows(CommandRejectedException.class, () -> component.run(CommandRequest.of("umount", T, "--no-canonicalize", "-l", DIR)),
                "the lazy form was removed");
        assertEquals(3, component.statistics().get("umount").runs(), "counters survive a reload");
    }

    @Test
    void malformedChangeIsRefusedAndThePreviousConfigurationStays() throws Exception {
        Path first = script(dir, "first", "echo first");
        Map<String, Object> props = new HashMap<>();
        props.put("command.umount.executable", first.toString());
        component.activate(config(props), props);
        ExecutorSettings before = component.settings();

        for (Map.Entry<String, Object> bad : List.<Map.Entry<String, Object>>of(
                Map.entry("command.umount.forms", "([unclosed"),
                Map.entry("command.umount.executable", "relative/umount"),
                Map.entry("max.concurrent", 0),
                Map.entry("output.cap.bytes", 5),
                Map.entry("queue.timeout.ms", -5L),
                Map.entry("root.helper", "sudo -n"),
                Map.entry("commands", new String[] { "umount", "umount" }),
                Map.entry("commands", "umount, umount"),
                Map.entry("commands", new String[] { "umount", "extra" }))) {
            Map<String, Object> changed = new HashMap<>(props);
            changed.put(bad.getKey(), bad.getValue());
            component.modified(config(changed), changed);
            assertSame(before, component.settings(), "refused: " + bad);
        }
        assertEquals("first\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)).stdout());
    }

    @Test
    void malformedConfigurationFailsActivation() {
        Map<String, Object> props = Map.of("max.concurrent", 0);
        assertThrows(InvalidConfigurationException.class, () -> component.activate(config(props), props));
    }

    @Test
    void groupWritableExecutableIsMarkedUnusableOnReload() throws Exception {
        Path first = script(dir, "first", "echo first");
        Map<String, Object> props = new HashMap<>();
        props.put("command.umount.executable", first.toString());
        component.activate(config(props), props);
        assertEquals("first\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)).stdout());

        Files.setPosixFilePermissions(first, PosixFilePermissions.fromString("rwxrwxr-x"));
        component.modified(config(props), props);
        CommandDefinition umount = component.allowlist().stream().filter(d -> d.name().equals("umount")).findFirst()
                .orElseThrow();
        assertFalse(umount.usable());
        assertTrue(umount.problem().contains("group- or world-writable"), umount.problem());
        assertThrows(CommandRejectedException.class, () -> component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)));
        assertTrue(component.allowlist().stream().filter(d -> d.name().equals("systemctl")).findFirst()
                .orElseThrow().usable(), "the other commands keep working");
    }

    @Test
    void furtherCommandsComeFromRawProperties() throws Exception {
        Path tool = script(dir, "tool", "echo \"tool $*\"");
        Map<String, Object> props = new HashMap<>();
        props.put("commands", new String[] { "umount", "tool" });
        props.put("command.tool.executable", tool.toString());
        props.put("command.tool.privileged", "false");
        props.put("command.tool.forms", new String[] { "{noargs}", "status [a-z]{1,8}" });
        component.activate(config(props), props);
        assertEquals(List.of("umount", "tool"), component.allowlist().stream().map(CommandDefinition::name).toList());
        assertEquals("tool \n", component.run(CommandRequest.of("tool", T)).stdout());
        assertEquals("tool status abc\n", component.run(CommandRequest.of("tool", T, "status", "abc")).stdout());
        assertThrows(CommandRejectedException.class, () -> component.run(CommandRequest.of("tool", T, "status")));
        assertThrows(CommandRejectedException.class, () -> component.run(CommandRequest.of("mount.quobyte", T,
                "--disable-xattrs", "r/v", DIR)), "no longer listed");
    }

    @Test
    void formsParsing() {
        assertEquals(List.of(List.of("a", "b"), List.of("-l", "c")), ExecutorComponent.parseForms(" a  b ;; -l c "));
        assertEquals(List.of(List.of()), ExecutorComponent.parseForms("{noargs}"));
        assertEquals(List.of(), ExecutorComponent.parseForms(""));
        assertEquals(List.of(), ExecutorComponent.parseForms(null));
        assertEquals(List.of(List.of("x")), ExecutorComponent.parseForms(";; x ;;"));
    }
}
