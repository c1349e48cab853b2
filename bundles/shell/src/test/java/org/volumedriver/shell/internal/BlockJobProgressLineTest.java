package org.volumedriver.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class BlockJobProgressLineTest {

    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainLinesAtEveryTenthForScriptsAndPipes() {
        BlockJobProgressLine line = new BlockJobProgressLine(out, false, "Block commit");
        line.progress(0, 0); // not sized yet: nothing
        for (long current = 0; current <= 1000; current += 7) {
            line.progress(current, 1000);
        }
        line.progress(1000, 1000);
        line.progress(1000, 1000);
        line.finish();
        assertEquals(List.of("Block commit: 0%", "Block commit: 10%", "Block commit: 20%", "Block commit: 30%", "Block commit: 40%",
                "Block commit: 50%", "Block commit: 60%", "Block commit: 70%", "Block commit: 80%", "Block commit: 90%",
                "Block commit: 100%"), printed().lines().toList());
    }

    @Test
    void oneRewrittenLineOnATerminalEndedOnceTheJobIsOver() {
        BlockJobProgressLine line = new BlockJobProgressLine(out, true, "Block rebase");
        line.progress(1, 4);
        line.progress(1, 4);
        line.progress(2, 4);
        line.progress(1, 4); // libvirt never goes back, but a stale report must not either
        line.progress(9, 4); // clamped
        line.finish();
        line.finish();
        assertEquals("\rBlock rebase: 25%\rBlock rebase: 50%\rBlock rebase: 100%" + System.lineSeparator(), printed());
    }

    @Test
    void aJobThatReportedNothingLeavesNoEmptyLine() {
        new BlockJobProgressLine(out, true, "Block commit").finish();
        assertEquals("", printed());
    }

    @Test
    void hugeCountsDoNotOverflow() {
        BlockJobProgressLine line = new BlockJobProgressLine(out, false, "Block commit");
        line.progress(Long.MAX_VALUE / 2, Long.MAX_VALUE);
        assertEquals(List.of("Block commit: 50%"), printed().lines().toList());
    }
}
