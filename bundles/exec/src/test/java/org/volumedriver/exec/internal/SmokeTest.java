package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;

class SmokeTest {
    @Test
    void printfRuns() throws Exception {
        try (ProcessCommandExecutor ex = new ProcessCommandExecutor(ExecutorSettings.builder()
                .command("printf", "/usr/bin/printf", false, List.of(List.of("[a-z%]+", "[a-z]+"))).build())) {
            CommandResult r = ex.run(CommandRequest.of("printf", Duration.ofSeconds(5), "%s", "hello"));
            assertEquals(0, r.exitStatus());
            assertEquals("hello", r.stdout());
            assertTrue(r.succeeded());
        }
    }
}
