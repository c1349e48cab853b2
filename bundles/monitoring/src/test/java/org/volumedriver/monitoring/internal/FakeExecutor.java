package org.volumedriver.monitoring.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.CommandStatistics;

/** An executor that runs nothing and answers the statistics a test puts in. */
final class FakeExecutor implements CommandExecutor {

    final Map<String, CommandStatistics> statistics = new TreeMap<>();

    @Override
    public CommandResult run(CommandRequest request) {
        throw new UnsupportedOperationException("runs nothing");
    }

    @Override
    public List<CommandDefinition> allowlist() {
        return List.of();
    }

    @Override
    public Map<String, CommandStatistics> statistics() {
        return Map.copyOf(statistics);
    }
}
