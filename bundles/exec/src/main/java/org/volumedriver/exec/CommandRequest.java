package org.volumedriver.exec;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to run: a logical command name, its arguments (never including the executable), a timeout,
 * optional standard input and an optional transient systemd scope to run it in.
 *
 * @param command the logical command name from the allowlist, for example {@code umount}
 * @param arguments the arguments, each checked against the command's forms
 * @param timeout how long the command may run before its process tree is killed
 * @param stdin bytes for standard input, or {@code null} for none (stdin is then closed)
 * @param scope the systemd scope to wrap the command in, or {@code null} to run it directly
 */
public record CommandRequest(String command, List<String> arguments, Duration timeout, byte[] stdin,
        TransientScope scope) {

    /**
     * Copies the arguments and checks the timeout.
     *
     * @param command the logical command name
     * @param arguments the arguments
     * @param timeout the timeout, positive
     * @param stdin standard input or {@code null}
     * @param scope the systemd scope or {@code null}
     */
    public CommandRequest {
        Objects.requireNonNull(command, "command");
        arguments = List.copyOf(arguments);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        stdin = stdin == null ? null : stdin.clone();
    }

    /**
     * @param command the logical command name
     * @param timeout the timeout
     * @param arguments the arguments
     * @return a request without stdin and without scope
     */
    public static CommandRequest of(String command, Duration timeout, String... arguments) {
        return new CommandRequest(command, List.of(arguments), timeout, null, null);
    }

    /**
     * @param newScope the scope to run in
     * @return a copy of this request that runs inside {@code newScope}
     */
    public CommandRequest inScope(TransientScope newScope) {
        return new CommandRequest(command, arguments, timeout, stdin, Objects.requireNonNull(newScope, "scope"));
    }

    /** @return the scope, if any */
    public Optional<TransientScope> optionalScope() {
        return Optional.ofNullable(scope);
    }

    @Override
    public byte[] stdin() {
        return stdin == null ? null : stdin.clone();
    }
}
