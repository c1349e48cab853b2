package org.volumedriver.exec.internal;

import java.time.Duration;
import java.util.List;

import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;

/**
 * Runs one privileged command through {@code sudo -n} from a JVM that is not root, as Karaf would
 * with a root helper, and prints the result. Started by {@link RootHelperRealTest} as user nobody.
 */
public final class RootHelperProbe {

    private RootHelperProbe() {
    }

    /**
     * @param args the command's executable, the timeout(1) path or {@code -} for none, the timeout in ms
     * @throws Exception if the command cannot be run
     */
    public static void main(String[] args) throws Exception {
        String helperTimeout = "-".equals(args[1]) ? "" : args[1];
        ExecutorSettings settings = ExecutorSettings.builder()
                .rootHelper("/usr/bin/sudo", "-n")
                .helperTimeout(helperTimeout)
                .command("hang", args[0], true, List.of(List.of()))
                .build();
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(settings)) {
            CommandResult r = executor.run(CommandRequest.of("hang", Duration.ofMillis(Long.parseLong(args[2]))));
            System.out.println("uid=" + ExecutableCheck.effectiveUid() + " status=" + r.exitStatus() + " timedOut=" + r.timedOut()
                    + " argv=" + r.argv());
        }
    }
}
