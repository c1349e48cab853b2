package org.volumedriver.shell.commands;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.impl.action.command.ManagerImpl;
import org.apache.karaf.shell.impl.console.SessionFactoryImpl;

/**
 * Karaf's own command processor outside OSGi: the commands are registered with Karaf's
 * {@code ManagerImpl} exactly as the command extender does, services are plain objects in the
 * registry, and command lines go through gogo's parser, Karaf's option handling and injection.
 */
final class ShellHarness implements AutoCloseable {

    /** Every command and completer class of the bundle, as the Karaf-Commands scan finds them. */
    static final List<Class<?>> CLASSES = List.of(
            DriversCommand.class, ConnectCommand.class, DisconnectCommand.class, ValidateCommand.class,
            DiskXmlCommand.class, AttachCommand.class, DetachCommand.class, MountsCommand.class,
            QuobyteMountsCommand.class, AttachmentsCommand.class, CountersCommand.class, ExecutorCommand.class,
            HealCommand.class, SystemdCommand.class, QuobyteConfigCommand.class,
            DriverTypeCompleter.class, ExportCompleter.class, MountDirectoryCompleter.class, InstanceCompleter.class);

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final SessionFactoryImpl factory;

    /** The outcome of one command line. */
    record Result(String out, String err, Exception failure) {
        String errorLine() {
            if (failure instanceof org.apache.karaf.shell.support.CommandException ce) {
                return ce.getNiceHelp();
            }
            throw new AssertionError("expected a CommandException but got " + failure + "; out=" + out, failure);
        }
    }

    ShellHarness(Object... services) {
        threadIO.start();
        factory = new SessionFactoryImpl(threadIO);
        for (Object service : services) {
            factory.getRegistry().register(service);
        }
        ManagerImpl manager = new ManagerImpl(factory.getRegistry(), factory.getRegistry());
        for (Class<?> clazz : CLASSES) {
            manager.register(clazz);
        }
    }

    Result run(String commandLine) {
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

    Result ok(String commandLine) {
        Result result = run(commandLine);
        if (result.failure() != null) {
            throw new AssertionError(commandLine + " failed: " + result.failure(), result.failure());
        }
        return result;
    }

    @Override
    public void close() {
        factory.stop();
        threadIO.stop();
    }
}
