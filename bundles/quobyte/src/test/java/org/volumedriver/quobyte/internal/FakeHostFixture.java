package org.volumedriver.quobyte.internal;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.spi.VolumeDriverException;

/**
 * A host made of fakes for the engine's unit tests: the mount base {@code <tmp>/mnt}, the mount
 * directory {@link #dir} of {@link #EXPORT}, a synthetic mount table changed by a recording
 * {@link Fakes.Mounter}, and a probe that answers healthy unless told otherwise. The fake mount
 * hides nothing: what a test writes into {@link #dir} is what the export holds.
 */
abstract class FakeHostFixture {

    static final String EXPORT = "192.168.1.1/volume-00001";
    /** The md5 of {@link #EXPORT}, written out so that a test can check the engine's hash against it. */
    static final String HASH = "c94ed34ada0acf45c1213beb1fc52ce6";
    static final SystemdDecision NO_SYSTEMD = new SystemdDecision(false, "off", "test");
    static final SystemdDecision SYSTEMD = new SystemdDecision(true, "on", "test");
    static final int UID = MountLayout.currentUid();

    @TempDir
    Path tmp;
    Path base;
    Path dir;
    Fakes.Table table;
    Fakes.Mounter mounter;
    Fakes.Probe probe;

    @BeforeEach
    void setUpFakeHost() {
        base = tmp.resolve("mnt");
        dir = base.resolve(HASH);
        table = new Fakes.Table();
        mounter = new Fakes.Mounter(table);
        probe = new Fakes.Probe();
    }

    /** @return settings for an engine on this host: its mount base, and no watchdog thread (tests scan by hand) */
    Settings.Builder settings() {
        return Settings.builder().mountBase(base.toString()).watchdogEnabled(false);
    }

    /** @return a started engine on this host with its {@link #settings()} */
    QuobyteEngine engine() throws VolumeDriverException {
        return engine(settings());
    }

    /**
     * A test class that gives all its engines something more overrides this method alone.
     *
     * @param settings the whole settings, usually {@link #settings()} with a change
     * @return a started engine on this host with them
     */
    QuobyteEngine engine(Settings.Builder settings) throws VolumeDriverException {
        return engineBuilder().settings(settings).start();
    }

    /** @return a builder of an engine on this host, for what a test varies beyond the settings */
    EngineBuilder engineBuilder() {
        return new EngineBuilder();
    }

    /** Every fresh mount shows these files in {@link #dir}, each {@code size} zero bytes. */
    void filesOnMount(int size, String... names) {
        mounter.afterMount = () -> {
            for (String name : names) {
                write(name, new byte[size]);
            }
        };
    }

    /** Writes a file into {@link #dir}, failing the test when it cannot. */
    void write(String name, byte[] content) {
        write(dir.resolve(name), content);
    }

    /** Writes an empty file, failing the test when it cannot (for use in the mounter's hooks). */
    static void writeEmpty(Path file) {
        write(file, new byte[0]);
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.write(file, content);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The parts of an engine the tests vary; whatever is not set is this host's. */
    final class EngineBuilder {
        private Settings.Builder settings = FakeHostFixture.this.settings();
        private Mounter mounter = FakeHostFixture.this.mounter;
        private FuseControl fuse = FuseControl.NONE;
        private HealthProbe probe = FakeHostFixture.this.probe;
        private SystemdDecision systemd = NO_SYSTEMD;
        private Telemetry telemetry = new Telemetry();

        /** @param whole the whole settings, mount base included @return this */
        EngineBuilder settings(Settings.Builder whole) {
            this.settings = whole;
            return this;
        }

        /** @param m the mounter instead of {@link FakeHostFixture#mounter} @return this */
        EngineBuilder mounter(Mounter m) {
            this.mounter = m;
            return this;
        }

        /** @param f the FUSE control file system instead of none @return this */
        EngineBuilder fuse(FuseControl f) {
            this.fuse = f;
            return this;
        }

        /** @param p the health probe instead of {@link FakeHostFixture#probe} @return this */
        EngineBuilder probe(HealthProbe p) {
            this.probe = p;
            return this;
        }

        /** @param s the systemd decision instead of {@link FakeHostFixture#NO_SYSTEMD} @return this */
        EngineBuilder systemd(SystemdDecision s) {
            this.systemd = s;
            return this;
        }

        /** @param t where events and timers go instead of nowhere @return this */
        EngineBuilder telemetry(Telemetry t) {
            this.telemetry = t;
            return this;
        }

        /** @return the engine, started */
        QuobyteEngine start() throws VolumeDriverException {
            QuobyteEngine e = new QuobyteEngine(settings.build(), mounter, fuse, probe, systemd, UID, telemetry);
            e.start();
            return e;
        }
    }
}
