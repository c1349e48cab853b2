package org.volumedriver.monitoring.internal;

import java.util.Map;
import java.util.function.Supplier;

import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;

import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandStatistics;

/**
 * {@code org.volumedriver:type=executor}: the executor's statistics per allowlisted command (its
 * logical name; arguments never appear).
 */
final class ExecutorMBean extends OpenMBean {

    private static final String[] ITEMS = {"command", "runs", "failures", "timeouts", "rejected", "totalMillis", "maxMillis"};

    static final CompositeType COMMAND;
    static final TabularType COMMANDS;

    static {
        try {
            COMMAND = new CompositeType("command", "Statistics of one allowlisted command since the executor started", ITEMS,
                    new String[] {"the command's logical name", "processes started", "processes that failed or could not start",
                        "processes killed at their timeout", "requests refused before spawning", "the sum of the run durations (ms)",
                        "the longest run (ms)"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG,
                        SimpleType.LONG, SimpleType.LONG});
            COMMANDS = new TabularType("commands", "Statistics per allowlisted command", COMMAND, new String[] {"command"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** @param executor the executor bound now, {@code null} when there is none */
    ExecutorMBean(Supplier<CommandExecutor> executor) {
        super(ExecutorMBean.class.getName(), "The command executor");
        attribute("Commands", "Statistics per allowlisted command", COMMANDS, () -> {
            CommandExecutor bound = executor.get();
            if (bound == null) {
                throw DriverMBean.failure(OneLine.error("SERVICE_UNAVAILABLE", "no command executor is registered now"));
            }
            return commands(bound.statistics());
        });
    }

    static TabularData commands(Map<String, CommandStatistics> statistics) throws OpenDataException {
        TabularDataSupport table = new TabularDataSupport(COMMANDS);
        for (Map.Entry<String, CommandStatistics> e : statistics.entrySet()) {
            CommandStatistics s = e.getValue();
            if (e.getKey() == null || s == null) {
                continue;
            }
            table.put(new CompositeDataSupport(COMMAND, ITEMS, new Object[] {e.getKey(), s.runs(), s.failures(), s.timeouts(),
                s.rejected(), s.totalDuration() == null ? 0L : s.totalDuration().toMillis(),
                s.maxDuration() == null ? 0L : s.maxDuration().toMillis()}));
        }
        return table;
    }
}
