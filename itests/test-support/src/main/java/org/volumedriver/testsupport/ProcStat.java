package org.volumedriver.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The scheduler state of processes and their threads, from {@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/task/<tid>/stat} (see proc(5)): {@code R} running, {@code S} sleeping,
 * {@code T} stopped, {@code Z} zombie, {@code X} dead, ...
 */
public final class ProcStat {

    private ProcStat() {
    }

    /**
     * @param stat the content of a {@code stat} file
     * @return its state field
     * @throws IllegalArgumentException if the content has no state after the command name
     */
    public static char state(String stat) {
        // the command name is in parentheses and may itself hold ')' and spaces: the state
        // follows the last ')' and one space
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length() || stat.charAt(close + 1) != ' ') {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        return stat.charAt(close + 2);
    }

    /**
     * @param pid a process id
     * @return the process's state, or empty if there is no such process (any more)
     */
    public static Optional<Character> state(long pid) {
        try {
            return Optional.of(state(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @param pid a process id
     * @return whether the process exists and is neither a zombie nor dead
     */
    public static boolean alive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        return state(pid).map(s -> s != 'Z' && s != 'X').orElse(false);
    }

    /**
     * @param pid a process id
     * @return the state of every thread of the process
     * @throws IOException if the process or one of its threads is gone while they are read
     */
    public static List<Character> taskStates(long pid) throws IOException {
        List<Character> states = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                states.add(state(Files.readString(task.resolve("stat"))));
            }
        }
        return states;
    }
}
