package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.exec.internal.TestPrograms.argvEcho;
import static org.volumedriver.exec.internal.TestPrograms.splitNul;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;

/** G6: what the executor logs about a command carries no secret, though the child gets it. */
class LogRedactionTest {

    @TempDir
    Path dir;

    @Test
    void privilegedArgvIsLoggedRedactedAndChildOutputIsNotLoggedAtInfo() throws Exception {
        Path echo = argvEcho(dir, "echo-argv");
        String secret = "s3cret-Value-42";
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        // slf4j-simple (the test binding) writes each line to the current System.err
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        CommandResult r;
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder()
                .command("login", echo.toString(), true, List.of(List.of("--password", "[ -~]+"))).build(), 0)) {
            r = executor.run(CommandRequest.of("login", Duration.ofSeconds(10), "--password", secret));
        } finally {
            System.setErr(original);
        }
        assertEquals(List.of("--password", secret), splitNul(r.stdout()), "the child got the real value");
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("running privileged login"), log);
        assertTrue(log.contains("--password, ***"), log);
        assertFalse(log.contains(secret), log);
    }
}
