package org.volumedriver.itests.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** What the tests observe of the host from outside the harness: files, mounts, processes. */
final class HostView {

    private HostView() {
    }

    /** A file's content and modification time, to prove that nothing touched it. */
    record Fingerprint(Path path, String sha256, FileTime modified) {

        static Fingerprint of(Path path) throws IOException {
            try {
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path)));
                return new Fingerprint(path, digest, Files.getLastModifiedTime(path));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** @return the mount points of this process's mount namespace, in mountinfo order */
    static List<String> mountPoints() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4]).toList();
    }

    /**
     * @param cgroupName the name of a cgroup directly below the cgroup2 root
     * @return the host pids whose cgroup2 path lies in that cgroup
     */
    static List<Long> processesInCgroup(String cgroupName) throws IOException {
        String prefix = "0::/" + cgroupName;
        return processes(pid -> {
            List<String> lines = readLines(Path.of("/proc", Long.toString(pid), "cgroup"));
            return lines.stream().anyMatch(l -> l.equals(prefix) || l.startsWith(prefix + "/"));
        });
    }

    /**
     * @param namespace a PID namespace as {@code /proc/<pid>/ns/pid} names it
     * @return the host pids in it
     */
    static List<Long> processesInPidNamespace(String namespace) throws IOException {
        return processes(pid -> {
            try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "pid")).toString().equals(namespace);
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static List<Long> processes(Predicate<Long> filter) throws IOException {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && filter.test(Long.parseLong(name))) {
                    found.add(Long.parseLong(name));
                }
            }
        }
        return found;
    }

    private static List<String> readLines(Path path) {
        try {
            return Files.readAllLines(path);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            // a process that ended while being read
            return List.of();
        }
    }
}
