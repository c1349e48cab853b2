package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.TransientScope;
import org.volumedriver.quobyte.SystemdDecision;

/** The argv the production mounter hands the executor (C1), and what it reports back. */
class CommandMounterTest {

    static final String EXPORT = FakeHostFixture.EXPORT;
    static final String HASH = FakeHostFixture.HASH;

    @TempDir
    Path tmp;
    Path dir;
    Fakes.Table table;
    Fakes.Executor executor;
    List<Path> forgotten;

    @BeforeEach
    void setUp() {
        dir = tmp.resolve("mnt").resolve(HASH);
        table = new Fakes.Table();
        executor = new Fakes.Executor(table);
        forgotten = new ArrayList<>();
    }

    CommandMounter mounter(Settings.Builder settings, SystemdDecision systemd) throws Exception {
        return new CommandMounter(settings.mountBase(tmp.resolve("mnt").toString()).build(), executor, table, systemd,
                forgotten::add);
    }

    @Test
    void goldenArgvWithoutSystemd() throws Exception {
        CommandRequest r = mounter(Settings.builder(), FakeHostFixture.NO_SYSTEMD).mountRequest(EXPORT, dir);
        assertEquals("mount.quobyte", r.command());
        assertEquals(List.of("--disable-xattrs", EXPORT, dir.toString()), r.arguments());
        assertTrue(r.optionalScope().isEmpty());
    }

    @Test
    void goldenArgvWithSystemdAndClientConfig() throws Exception {
        Path cfg = tmp.resolve("client.cfg");
        Files.writeString(cfg, "x");
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-r-----"));
        CommandRequest r = mounter(Settings.builder().clientConfig(cfg.toString()).slice("storage.slice"), FakeHostFixture.SYSTEMD)
                .mountRequest(EXPORT, dir);
        assertEquals(List.of("--disable-xattrs", EXPORT, dir.toString(), "-c", cfg.toString()), r.arguments());
        assertEquals(new TransientScope("volumedriver-quobyte-" + HASH + ".scope", "storage.slice", CommandMounter.SCOPE_DESCRIPTION),
                r.scope());
    }

    @Test
    void mountRunsTheClientAndTheTableShowsIt() throws Exception {
        CommandMounter m = mounter(Settings.builder(), FakeHostFixture.NO_SYSTEMD);
        assertTrue(m.mount(EXPORT, dir).succeeded());
        assertEquals(1, executor.named("mount.quobyte").size());
        assertTrue(m.mountedAt(dir).orElseThrow().isQuobyte(false));
    }

    @Test
    void goldenUnmountArgvNormalThenLazy() throws Exception {
        CommandMounter m = mounter(Settings.builder(), FakeHostFixture.NO_SYSTEMD);
        m.mount(EXPORT, dir);
        executor.mounter.busy.add(dir.toString());
        assertFalse(m.unmount(dir, false).succeeded(), "a busy mount refuses the normal unmount");
        assertTrue(forgotten.isEmpty(), "the probe forgets nothing while the mount stays");
        assertTrue(m.unmountOrDetach(dir, "test"), "the lazy unmount detaches it");
        List<CommandRequest> umounts = executor.named("umount");
        assertEquals(List.of("--no-canonicalize", dir.toString()), umounts.get(0).arguments());
        assertEquals(List.of("--no-canonicalize", dir.toString()), umounts.get(1).arguments());
        assertEquals(List.of("--no-canonicalize", "-l", dir.toString()), umounts.get(2).arguments());
        assertEquals(List.of(dir), forgotten, "the probe is told once the unmount succeeded");
        assertTrue(m.mountedAt(dir).isEmpty());
    }

    @Test
    void unmountOrDetachStopsAfterASuccessfulNormalUnmount() throws Exception {
        CommandMounter m = mounter(Settings.builder(), FakeHostFixture.NO_SYSTEMD);
        m.mount(EXPORT, dir);
        assertTrue(m.unmountOrDetach(dir, "test"));
        assertEquals(1, executor.named("umount").size(), "no lazy unmount when the normal one worked");
    }

    @Test
    void withoutSystemdNoScopeIsEnded() throws Exception {
        assertTrue(mounter(Settings.builder(), FakeHostFixture.NO_SYSTEMD).endClientScope(dir).isEmpty());
        assertTrue(executor.requests.isEmpty());
    }

    @Test
    void goldenArgvEndingALeftoverScope() throws Exception {
        executor.scopeControl = r -> Fakes.Executor.result(r, 0, "");
        Mounter.Outcome o = mounter(Settings.builder(), FakeHostFixture.SYSTEMD).endClientScope(dir).orElseThrow();
        assertTrue(o.succeeded());
        String unit = "volumedriver-quobyte-" + HASH + ".scope";
        List<CommandRequest> runs = executor.named(CommandMounter.SCOPE_CONTROL);
        assertEquals(List.of(List.of("stop", unit), List.of("reset-failed", unit)),
                runs.stream().map(CommandRequest::arguments).toList(), "stop, then free the name of a failed unit");
        assertTrue(runs.stream().allMatch(r -> r.optionalScope().isEmpty()));
    }

    @Test
    void aScopeThatIsNotLoadedNeedsNoReset() throws Exception {
        Mounter.Outcome o = mounter(Settings.builder(), FakeHostFixture.SYSTEMD).endClientScope(dir).orElseThrow();
        assertEquals(CommandMounter.UNIT_NOT_LOADED, o.exitStatus());
        assertEquals(1, executor.named(CommandMounter.SCOPE_CONTROL).size());
    }
}
