package org.volumedriver.monitoring.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import javax.management.MBeanException;
import javax.management.MBeanOperationInfo;
import javax.management.RuntimeOperationsException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;

/**
 * {@code org.volumedriver:type=driver,name=<type>}: one volume driver's mounts, attachments and
 * counters, and its heal. Exports pass {@link Redactor#redactExport}, free text
 * {@link Redactor#redactText} (A6). Volumes and instances appear here, for an administrator, and
 * never as metric labels.
 */
final class DriverMBean extends OpenMBean {

    private static final String[] MOUNT_ITEMS = {"mountDirectory", "export", "state", "attachments", "since", "detail"};

    static final CompositeType MOUNT;
    static final TabularType MOUNTS;
    static final CompositeType ATTACHMENT;
    static final TabularType ATTACHMENTS;
    static final CompositeType COUNTER;
    static final TabularType COUNTERS;

    static {
        try {
            MOUNT = new CompositeType("mount", "A mount of a volume driver", MOUNT_ITEMS,
                    new String[] {"the absolute mount directory", "the export, redacted", "HEALTHY, STALE, BUSY or NOT_MOUNTED",
                        "attachments counted on the mount", "when the mount entered its state (ISO-8601)",
                        "why, when not healthy"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.INTEGER,
                        SimpleType.STRING, SimpleType.STRING});
            MOUNTS = new TabularType("mounts", "The mounts of a volume driver", MOUNT, new String[] {"mountDirectory"});
            ATTACHMENT = new CompositeType("attachment", "An attachment a volume driver counts",
                    new String[] {"mountDirectory", "volume", "instance"},
                    new String[] {"the mount directory", "the volume file name", "the instance using it"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING});
            ATTACHMENTS = new TabularType("attachments", "The attachments of a volume driver", ATTACHMENT,
                    new String[] {"mountDirectory", "volume", "instance"});
            COUNTER = new CompositeType("counter", "A counter of a volume driver", new String[] {"name", "value"},
                    new String[] {"the counter's name", "its value"}, new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG});
            COUNTERS = new TabularType("counters", "The counters of a volume driver", COUNTER, new String[] {"name"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String type;
    private final Function<String, Optional<VolumeDriver>> drivers;

    /**
     * @param type the driver type
     * @param drivers the driver serving a type now
     */
    DriverMBean(String type, Function<String, Optional<VolumeDriver>> drivers) {
        super(DriverMBean.class.getName(), "The volume driver of type " + type);
        this.type = type;
        this.drivers = drivers;
        attribute("Mounts", "The driver's mounts, each probed now", MOUNTS, () -> mounts(driver().mounts()));
        attribute("Attachments", "The attachments the driver counts", ATTACHMENTS, () -> attachments(driver().mounts()));
        attribute("Counters", "The driver's counters", COUNTERS, () -> counters(driver().counters()));
        operation("heal", "Probes one mount and heals it if it is stale; returns its state after", MOUNT,
                MBeanOperationInfo.ACTION,
                List.of(new Parameter("mountDirectory", "the absolute mount directory, as Mounts lists it", SimpleType.STRING),
                        new Parameter("force", "heal even while attachments use the mount", SimpleType.BOOLEAN)),
                args -> heal((String) args[0], (Boolean) args[1]));
    }

    private VolumeDriver driver() throws MBeanException {
        return drivers.apply(type).orElseThrow(() -> failure(OneLine.error("UNKNOWN_DRIVER",
                "no volume driver of type " + type + " is registered now")));
    }

    private CompositeData heal(String mountDirectory, Boolean force) throws MBeanException, OpenDataException {
        if (mountDirectory == null || mountDirectory.isBlank()) {
            throw new RuntimeOperationsException(new IllegalArgumentException(
                    OneLine.error("INVALID_ARGUMENT", "mountDirectory is required")));
        }
        if (force == null) {
            throw new RuntimeOperationsException(new IllegalArgumentException(
                    OneLine.error("INVALID_ARGUMENT", "force is required (true or false)")));
        }
        VolumeDriver driver = driver();
        try {
            return mount(driver.heal(mountDirectory, force));
        } catch (VolumeDriverException e) {
            throw failure(OneLine.error(e));
        } catch (RuntimeException e) {
            throw failure(OneLine.error("INTERNAL_ERROR", e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    /**
     * @param line the one line of a failure
     * @return the exception a JMX client receives: its message and its cause's message are the
     *         line, and the cause is a JDK class, which every client can deserialize
     */
    static MBeanException failure(String line) {
        return new MBeanException(new IllegalStateException(line), line);
    }

    static CompositeData mount(MountStatus m) throws OpenDataException {
        return new CompositeDataSupport(MOUNT, MOUNT_ITEMS, new Object[] {
            m.mountDirectory(), Redactor.redactExport(m.export()), m.state().name(), m.attachments().size(),
            m.since().toString(), OneLine.of(m.detail())});
    }

    static TabularData mounts(List<MountStatus> mounts) throws OpenDataException {
        TabularDataSupport table = new TabularDataSupport(MOUNTS);
        for (MountStatus m : mounts) {
            putFirst(table, mount(m));
        }
        return table;
    }

    static TabularData attachments(List<MountStatus> mounts) throws OpenDataException {
        TabularDataSupport table = new TabularDataSupport(ATTACHMENTS);
        for (MountStatus m : mounts) {
            for (Attachment a : m.attachments()) {
                putFirst(table, new CompositeDataSupport(ATTACHMENT, new String[] {"mountDirectory", "volume", "instance"},
                        new Object[] {m.mountDirectory(), a.volume(), a.instance()}));
            }
        }
        return table;
    }

    static TabularData counters(Map<String, Long> counters) throws OpenDataException {
        TabularDataSupport table = new TabularDataSupport(COUNTERS);
        for (Map.Entry<String, Long> c : counters.entrySet()) {
            if (c.getKey() != null && c.getValue() != null) {
                putFirst(table, new CompositeDataSupport(COUNTER, new String[] {"name", "value"},
                        new Object[] {c.getKey(), c.getValue()}));
            }
        }
        return table;
    }

    /** Adds a row unless one with its index is there already: a driver's duplicate must not fail the whole table. */
    private static void putFirst(TabularDataSupport table, CompositeData row) {
        if (!table.containsKey(table.calculateIndex(row))) {
            table.put(row);
        }
    }
}
