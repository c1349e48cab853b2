package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.exec.internal.TestPrograms.script;

import java.lang.reflect.Method;
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

    /** The shipped configuration, with changes. */
    static Map<String, Object> shipped(Object... keysAndValues) {
        Map<String, Object> props = new HashMap<>(ShippedAllowlist.properties());
        for (int i = 0; i < keysAndValues.length; i += 2) {
            props.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return props;
    }

    /** DS 1.4 name mapping: {@code $_$} is '-', {@code __} is '_', {@code _} is '.'. */
    static String key(Method method) {
        return method.getName().replace("$_$", "\u0000").replace("__", "\u0001").replace('_', '.')
                .replace('\u0000', '-').replace('\u0001', '_');
    }

    @Test
    void defaultConfigurationIsTheSecureDefaultAllowlist() throws Exception {
        ExecutorSettings fromConfig = ExecutorSettings.fromProperties(Map.of());
        assertEquals(ExecutorSettings.defaults(), fromConfig);
        assertEquals(List.of(), fromConfig.commands(), "no configuration, no command");
        Method m = ExecutorComponent.Config.class.getMethod("root_helper_timeout");
        assertEquals("root.helper.timeout", key(m));
        // the metatype describes the parser's defaults, it does not add its own
        for (Method attribute : ExecutorComponent.Config.class.getDeclaredMethods()) {
            Object value = attribute.getDefaultValue();
            Object asConfigured = value instanceof String[] array ? String.join(",", array) : String.valueOf(value);
            assertEquals(fromConfig, ExecutorSettings.fromProperties(Map.of(key(attribute), asConfigured)), key(attribute));
        }
    }

    @Test
    void anUnconfiguredComponentRefusesEveryCommand() throws Exception {
        component.activate(Map.of("component.name", ExecutorComponent.class.getName()));
        assertEquals(List.of(), component.allowlist());
        for (String name : List.of("mount.quobyte", "umount", "systemctl", "systemctl-scope", "systemd-run")) {
            assertThrows(CommandRejectedException.class, () -> component.run(CommandRequest.of(name, T)), name);
        }
        assertEquals(5, component.statistics().get(ProcessCommandExecutor.UNKNOWN_COMMAND).rejected());
    }

    @Test
    void commandListFromACfgFileIsOneCommaSeparatedString() throws Exception {
        // Felix fileinstall hands "commands = umount, systemctl" over as a single string
        ExecutorSettings fromCfg = ExecutorSettings.fromProperties(shipped("commands", "umount, systemctl"));
        ExecutorSettings fromArray = ExecutorSettings.fromProperties(
                shipped("commands", new String[] { "umount", "systemctl" }));
        assertEquals(List.of("umount", "systemctl"), fromCfg.commands().stream().map(ExecutorSettings.CommandSpec::name).toList());
        assertEquals(fromArray, fromCfg);
        assertThrows(InvalidConfigurationException.class, () -> ExecutorSettings.fromProperties(
                shipped("commands", "umount, no-such-command")),
                "an unknown name inside the list is still refused");
        // numbers come as strings from a .cfg file and typed from the console
        assertEquals(4, ExecutorSettings.fromProperties(shipped("max.concurrent", "4")).maxConcurrent());
        assertEquals(4, ExecutorSettings.fromProperties(shipped("max.concurrent", 4)).maxConcurrent());
        assertEquals(Duration.ofMillis(2500), ExecutorSettings.fromProperties(shipped("queue.timeout.ms", 2500L)).queueTimeout());
    }

    @Test
    void modifiedChangesExecutableAndRulesLive() throws Exception {
        Path first = script(dir, "first", "echo first");
        Path second = script(dir, "second", "echo second");
        Map<String, Object> props = shipped();
        props.put("command.umount.executable", first.toString());
        component.activate(props);
        assertEquals("first\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)).stdout());
        assertEquals("first\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", "-l", DIR)).stdout());

        props.put("command.umount.executable", second.toString());
        props.put("command.umount.forms", "--no-canonicalize {mountdir}");
        component.modified(props);
        assertEquals("second\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)).stdout());
        assertThrows(CommandRejectedException.class, () -> component.run(CommandRequest.of("umount", T, "--no-canonicalize", "-l", DIR)),
                "the lazy form was removed");
        assertEquals(3, component.statistics().get("umount").runs(), "counters survive a reload");
    }

    @Test
    void malformedChangeIsRefusedAndThePreviousConfigurationStays() throws Exception {
        Path first = script(dir, "first", "echo first");
        Map<String, Object> props = shipped();
        props.put("command.umount.executable", first.toString());
        component.activate(props);
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
                Map.entry("commands", new String[] { "umount", "extra" }),
                Map.entry("max.concurrent", "many"),
                Map.entry("command.umount.privileged", "yes"),
                Map.entry("command.umount.forms", "--no-canonicalize {mount-dir}"),
                Map.entry("pattern.mountdir", "([unclosed"),
                Map.entry("pattern.mountdir", ""),
                Map.entry("pattern.Mountdir", "/x"),
                Map.entry("pattern.path", "/.*"))) {
            Map<String, Object> changed = new HashMap<>(props);
            changed.put(bad.getKey(), bad.getValue());
            component.modified(changed);
            assertSame(before, component.settings(), "refused: " + bad);
        }
        assertEquals("first\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)).stdout());
    }

    @Test
    void malformedConfigurationFailsActivation() {
        Map<String, Object> props = Map.of("max.concurrent", 0);
        assertThrows(InvalidConfigurationException.class, () -> component.activate(props));
    }

    @Test
    void groupWritableExecutableIsMarkedUnusableOnReload() throws Exception {
        Path first = script(dir, "first", "echo first");
        Map<String, Object> props = shipped();
        props.put("command.umount.executable", first.toString());
        component.activate(props);
        assertEquals("first\n", component.run(CommandRequest.of("umount", T, "--no-canonicalize", DIR)).stdout());

        Files.setPosixFilePermissions(first, PosixFilePermissions.fromString("rwxrwxr-x"));
        component.modified(props);
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
        Map<String, Object> props = shipped();
        props.put("commands", new String[] { "umount", "tool" });
        props.put("command.tool.executable", tool.toString());
        props.put("command.tool.privileged", "false");
        props.put("command.tool.forms", new String[] { "{noargs}", "status [a-z]{1,8}" });
        component.activate(props);
        assertEquals(List.of("umount", "tool"), component.allowlist().stream().map(CommandDefinition::name).toList());
        assertEquals("tool \n", component.run(CommandRequest.of("tool", T)).stdout());
        assertEquals("tool status abc\n", component.run(CommandRequest.of("tool", T, "status", "abc")).stdout());
        assertThrows(CommandRejectedException.class, () -> component.run(CommandRequest.of("tool", T, "status")));
        assertThrows(CommandRejectedException.class, () -> component.run(CommandRequest.of("mount.quobyte", T,
                "--disable-xattrs", "r/v", DIR)), "no longer listed");
    }

    @Test
    void namedPatternsComeFromPatternKeys() throws Exception {
        Path tool = script(dir, "tool", "echo \"tool $*\"");
        Map<String, Object> props = Map.of(
                "commands", "tool",
                "pattern.word", "[a-z]{1,8}",
                "pattern.two-digits", "[0-9]{2}",
                "command.tool.executable", tool.toString(),
                "command.tool.forms", "get {word} ;; put {word} {two-digits} ;; cat {path}");
        ExecutorSettings settings = ExecutorSettings.fromProperties(props);
        assertEquals(Map.of("word", "[a-z]{1,8}", "two-digits", "[0-9]{2}"), settings.patterns());
        assertEquals(List.of(List.of("get", "{word}"), List.of("put", "{word}", "{two-digits}"), List.of("cat", "{path}")),
                settings.commands().get(0).forms(), "forms keep the names; the executor resolves them");
        component.activate(props);
        assertEquals("tool get abc\n", component.run(CommandRequest.of("tool", T, "get", "abc")).stdout());
        assertEquals("tool put abc 42\n", component.run(CommandRequest.of("tool", T, "put", "abc", "42")).stdout());
        assertEquals("tool cat /etc/hosts\n", component.run(CommandRequest.of("tool", T, "cat", "/etc/hosts")).stdout());
        for (List<String> bad : List.of(List.of("get", "abcdefghi"), List.of("get", "ABC"), List.of("put", "abc", "4"),
                List.of("get", "{word}"), List.of("cat", "/etc/../shadow"), List.of("cat", "etc"))) {
            assertThrows(CommandRejectedException.class,
                    () -> component.run(new CommandRequest("tool", bad, T, null, null)), bad.toString());
        }
    }

    @Test
    void malformedNamedPatternsAreRefusedWithTheirKey() throws Exception {
        Path tool = script(dir, "tool", "exit 0");
        Map<Map<String, Object>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(Map.of("pattern.word", "([a-z]"), "pattern.word");
        cases.put(Map.of("pattern.word", "  "), "pattern.word");
        cases.put(Map.of("pattern.Word", "[a-z]"), "pattern.*");
        cases.put(Map.of("pattern.1word", "[a-z]"), "pattern.*");
        cases.put(Map.of("pattern.", "[a-z]"), "pattern.*");
        cases.put(Map.of("pattern.wo_rd", "[a-z]"), "pattern.*");
        cases.put(Map.of("pattern.path", "/.*"), "pattern.path");
        cases.put(Map.of("pattern.noargs", "x"), "pattern.noargs");
        cases.put(Map.of("command.tool.forms", "get {unknown}"), "command.tool.forms");
        cases.put(Map.of("command.tool.forms", "get {Word}"), "command.tool.forms");
        cases.put(Map.of("command.tool.forms", "get {}"), "command.tool.forms");
        for (Map.Entry<Map<String, Object>, String> c : cases.entrySet()) {
            Map<String, Object> props = new HashMap<>(Map.of("commands", "tool", "command.tool.executable", tool.toString(),
                    "command.tool.forms", "get {word}", "pattern.word", "[a-z]+"));
            props.putAll(c.getKey());
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> new ProcessCommandExecutor(ExecutorSettings.fromProperties(props)), c.getKey().toString());
            assertEquals(c.getValue(), e.key(), e.getMessage());
            assertEquals("INVALID_CONFIGURATION", e.code());
            assertFalse(e.getMessage().contains("\n"), "one line");
        }
        InvalidConfigurationException unknown = assertThrows(InvalidConfigurationException.class,
                () -> new ProcessCommandExecutor(ExecutorSettings.builder()
                        .command("tool", tool.toString(), false, List.of(List.of("{unknown}"))).build()));
        assertTrue(unknown.getMessage().contains("'{unknown}'"), unknown.getMessage());
    }

    @Test
    void formsParsing() {
        assertEquals(List.of(List.of("a", "b"), List.of("-l", "c")), SettingsParser.parseForms(" a  b ;; -l c "));
        assertEquals(List.of(List.of()), SettingsParser.parseForms("{noargs}"));
        assertEquals(List.of(), SettingsParser.parseForms(""));
        assertEquals(List.of(), SettingsParser.parseForms(null));
        assertEquals(List.of(List.of("x")), SettingsParser.parseForms(";; x ;;"));
    }
}
