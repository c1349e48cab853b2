package org.volumedriver.quobyte.shell.commands;

import java.util.ArrayList;
import java.util.List;

import org.volumedriver.shell.commands.ConnectCommand;
import org.volumedriver.shell.commands.ValidateCommand;
import org.volumedriver.shell.testing.ShellHarness;

/** This bundle's commands and completers, as its Karaf-Commands scan finds them, in a harness. */
final class QuobyteShell {

    /** Every command and completer class of the bundle. */
    static final List<Class<?>> CLASSES = List.of(
            QuobyteMountsCommand.class, HealCommand.class, SystemdCommand.class, QuobyteConfigCommand.class,
            QuobyteExportCompleter.class, QuobyteMountDirectoryCompleter.class);

    /** The generic commands the tests use beside them: a connect to have mounts, the validate this bundle adds to. */
    static final List<Class<?>> WITH_GENERIC = with(ConnectCommand.class, ValidateCommand.class);

    private QuobyteShell() {
    }

    /**
     * @param services the services; drivers are registered behind one driver registry
     * @return Karaf's command processor with this bundle's commands and the generic ones they go with
     */
    static ShellHarness with(Object... services) {
        return new ShellHarness(WITH_GENERIC, services);
    }

    private static List<Class<?>> with(Class<?>... generic) {
        List<Class<?>> classes = new ArrayList<>(CLASSES);
        classes.addAll(List.of(generic));
        return List.copyOf(classes);
    }
}
