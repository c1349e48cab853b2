package org.volumedriver.shell.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.impl.action.command.ManagerImpl;
import org.apache.karaf.shell.impl.console.SessionFactoryImpl;
import org.apache.karaf.shell.support.CommandException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.testsupport.FakeVolumeDrivers;

/**
 * Karaf's own command processor outside OSGi: the commands are registered with Karaf's
 * {@code ManagerImpl} exactly as the command extender does, services are plain objects in the
 * registry, and command lines go through gogo's parser, Karaf's option handling and injection.
 *
 * <p>Drivers among the services are registered behind one {@link FakeVolumeDrivers} registry, the only
 * way the commands find drivers; {@link #withoutDriverRegistry} leaves it out.
 */
public final class ShellHarness implements AutoCloseable {

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final SessionFactoryImpl factory;
    private final ManagerImpl manager;

    /** The outcome of one command line. */
    public record Result(String out, String err, Exception failure) {
        /**
         * @return the one error line the command failed with
         */
        public String errorLine() {
            if (failure instanceof CommandException ce) {
                return ce.getNiceHelp();
            }
            throw new AssertionError("expected a CommandException but got " + failure + "; out=" + out, failure);
        }
    }

    /**
     * @param classes the command and completer classes, as a bundle's Karaf-Commands scan finds them
     * @param services the services; drivers go behind a {@link FakeVolumeDrivers} unless a registry is given
     */
    public ShellHarness(List<Class<?>> classes, Object... services) {
        this(classes, true, services);
    }

    /**
     * @param classes the command and completer classes
     * @param services the services; drivers among them are not registered
     * @return a harness without any {@link VolumeDrivers} service
     */
    public static ShellHarness withoutDriverRegistry(List<Class<?>> classes, Object... services) {
        return new ShellHarness(classes, false, services);
    }

    private ShellHarness(List<Class<?>> classes, boolean withRegistry, Object... services) {
        threadIO.start();
        factory = new SessionFactoryImpl(threadIO);
        List<VolumeDriver> drivers = new ArrayList<>();
        boolean registryGiven = false;
        for (Object service : services) {
            if (service instanceof VolumeDriver driver) {
                drivers.add(driver);
                continue;
            }
            registryGiven |= service instanceof VolumeDrivers;
            factory.getRegistry().register(service);
        }
        if (withRegistry && !registryGiven) {
            factory.getRegistry().register(new FakeVolumeDrivers(drivers));
        }
        manager = new ManagerImpl(factory.getRegistry(), factory.getRegistry());
        for (Class<?> clazz : classes) {
            manager.register(clazz);
        }
    }

    /**
     * @param <T> the completer type
     * @param completer a completer class
     * @return an instance with its references injected from this harness's services, as Karaf does
     * @throws Exception if Karaf cannot make it
     */
    public <T> T instantiate(Class<T> completer) throws Exception {
        return manager.instantiate(completer);
    }

    /**
     * @param commandLine a command line as typed in the console
     * @return what it printed, or how it failed
     */
    public Result run(String commandLine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Session session = factory.create(new ByteArrayInputStream(new byte[0]), o, e);
            Exception failure = null;
            try {
                session.execute(commandLine);
            } catch (Exception x) {
                failure = x;
            } finally {
                session.close();
            }
            return new Result(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), failure);
        }
    }

    /**
     * @param commandLine a command line that must succeed
     * @return what it printed
     */
    public Result ok(String commandLine) {
        Result result = run(commandLine);
        if (result.failure() != null) {
            throw new AssertionError(commandLine + " failed: " + result.failure(), result.failure());
        }
        return result;
    }

    /**
     * @param word the word being completed
     * @return a command line {@code x <word>} with the cursor at the end of the word, as the console
     *         hands it to a completer
     */
    public static CommandLine completionLine(String word) {
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return 1;
            }

            @Override
            public String getCursorArgument() {
                return word;
            }

            @Override
            public int getArgumentPosition() {
                return word.length();
            }

            @Override
            public String[] getArguments() {
                return new String[] { "x", word };
            }

            @Override
            public int getBufferPosition() {
                return 2 + word.length();
            }

            @Override
            public String getBuffer() {
                return "x " + word;
            }
        };
    }

    @Override
    public void close() {
        factory.stop();
        threadIO.stop();
    }
}
