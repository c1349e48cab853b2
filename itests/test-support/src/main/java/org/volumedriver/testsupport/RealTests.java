package org.volumedriver.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The switch of the tests that need root, real mounts, QEMU or a hypervisor: {@code scripts/test}
 * sets {@value #SWITCH}{@code =required} inside the private mount namespace it creates. There a
 * missing prerequisite fails the test; anywhere else such a test is skipped, so that nothing it
 * does reaches a developer's host unasked.
 */
public final class RealTests {

    /** The environment variable, {@code required} under {@code scripts/test}. */
    public static final String SWITCH = "VOLUMEDRIVER_REAL_TESTS";

    /**
     * The system property naming the FUSE stand-in for the Quobyte client, set by the modules
     * whose build makes it ({@code itests/quobyte-standin/build.sh}).
     */
    public static final String STANDIN_PROPERTY = "quobyte.standin";

    private RealTests() {
    }

    /** @return whether the real tests are required (and so must not skip) */
    public static boolean required() {
        return "required".equals(System.getenv(SWITCH));
    }

    /** @return whether this process runs as root (effective uid 0) */
    public static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * For a test that changes the host (mounts, sudoers rules, guests): skips it unless the real
     * tests are required, and then holds it to its prerequisites.
     *
     * @param subject what the test is, for the messages, for example {@code the end-to-end test}
     * @return the prerequisites to list; {@link Prerequisites#check()} fails if one is missing
     */
    public static Prerequisites onlyWhenRequired(String subject) {
        Assumptions.assumeTrue(required(), subject + " runs with " + SWITCH + "=required");
        return new Prerequisites(subject);
    }

    /**
     * For a test that only needs something installed: skips it without, or fails it when the real
     * tests are required.
     *
     * @param present whether the prerequisite is there
     * @param what what is missing otherwise, for example {@code qemu-img is not installed}
     */
    public static void require(boolean present, String what) {
        if (!present && required()) {
            Assertions.fail(SWITCH + "=required but " + what);
        }
        Assumptions.assumeTrue(present, what);
    }

    /** The prerequisites of a required test, all reported at once. */
    public static final class Prerequisites {

        private final String subject;
        private final List<String> missing = new ArrayList<>();

        private Prerequisites(String subject) {
            this.subject = subject;
        }

        /**
         * @param present whether the prerequisite is there
         * @param what the prerequisite, for example {@code /dev/fuse}
         * @return these prerequisites
         */
        public Prerequisites need(boolean present, String what) {
            if (!present) {
                missing.add(what);
            }
            return this;
        }

        /**
         * What mounting through the FUSE stand-in needs: root, {@code /dev/fuse} and the stand-in
         * binary named by {@value RealTests#STANDIN_PROPERTY}.
         *
         * @return these prerequisites
         */
        public Prerequisites needFuseStandin() {
            String standin = System.getProperty(STANDIN_PROPERTY);
            return need(isRoot(), "root")
                    .need(Files.exists(Path.of("/dev/fuse")), "/dev/fuse")
                    .need(standin != null && Files.isExecutable(Path.of(standin)),
                            "the stand-in binary (itests/quobyte-standin/build.sh)");
        }

        /** Fails the test, naming every prerequisite that is missing. */
        public void check() {
            if (!missing.isEmpty()) {
                Assertions.fail(subject + " is required but these prerequisites are missing: " + missing);
            }
        }
    }
}
