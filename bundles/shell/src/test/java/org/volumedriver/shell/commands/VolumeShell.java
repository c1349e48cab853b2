package org.volumedriver.shell.commands;

import java.util.List;

import org.volumedriver.shell.testing.ShellHarness;

/** This bundle's commands and completers, as its Karaf-Commands scan finds them, in a harness. */
final class VolumeShell {

    /** Every command and completer class of the bundle. */
    static final List<Class<?>> CLASSES = List.of(
            DriversCommand.class, ConnectCommand.class, DisconnectCommand.class, ValidateCommand.class,
            DiskXmlCommand.class, AttachCommand.class, DetachCommand.class, MountsCommand.class,
            AttachmentsCommand.class, CountersCommand.class, ExecutorCommand.class, ReconcileCommand.class,
            SnapshotCreateCommand.class, SnapshotDeleteCommand.class, ExtendCommand.class, ChainCommand.class,
            DriverTypeCompleter.class, ExportCompleter.class, InstanceCompleter.class);

    private VolumeShell() {
    }

    /**
     * @param services the services; drivers are registered behind one driver registry
     * @return Karaf's command processor with this bundle's commands
     */
    static ShellHarness with(Object... services) {
        return new ShellHarness(CLASSES, services);
    }
}
