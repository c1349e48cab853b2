package org.volumedriver.shell.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.testsupport.FakeVolumeDriver;

public class ViewsTest {

    public static String capture(Consumer<PrintStream> printer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            printer.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    public static final MountStatus STALE = new MountStatus("quobyte", "10.0.0.1/vol?password=hunter2", "/base/abc", MountState.STALE,
            Set.of(new Attachment("volume-2", "vm2"), new Attachment("volume-1", "vm1")), FakeVolumeDriver.SINCE,
            "stat failed: ENOTCONN");
    public static final MountStatus HEALTHY = new MountStatus("quobyte", "10.0.0.2/other", "/base/def", MountState.HEALTHY, Set.of(),
            FakeVolumeDriver.SINCE, null);

    @Test
    void mountsTableShowsEveryColumnWithTheExportRedacted() {
        String text = capture(out -> Views.mounts(List.of(STALE, HEALTHY), out, true));
        List<String> lines = text.lines().toList();
        assertEquals(4, lines.size(), text);
        assertTrue(lines.get(0).matches("Driver\\s+\\| Export\\s+\\| Mount directory \\| State\\s+\\| Attachments \\| Since\\s+\\| Detail\\s*"),
                lines.get(0));
        assertTrue(lines.get(1).matches("[-+]+"), lines.get(1));
        assertFalse(text.contains("hunter2"), text);
        assertTrue(lines.get(2).contains("password=***"), lines.get(2));
        assertTrue(lines.get(2).matches(".*\\| /base/abc\\s+\\| STALE\\s+\\|\\s+2 \\| 2026-01-02T03:04:05Z \\| stat failed: ENOTCONN\\s*"),
                lines.get(2));
        assertTrue(lines.get(3).matches("quobyte\\s+\\| 10.0.0.2/other\\s+\\| /base/def\\s+\\| HEALTHY \\|\\s+0 \\| 2026-01-02T03:04:05Z \\|\\s*"),
                lines.get(3));
    }

    @Test
    void plainRowsAreTabSeparatedWithoutHeader() {
        String text = capture(out -> Views.mounts(List.of(HEALTHY), out, false));
        List<String> lines = text.lines().toList();
        assertEquals(1, lines.size(), text);
        // bare values, no padding: cut -f and read -r work on them
        assertEquals(List.of("quobyte", "10.0.0.2/other", "/base/def", "HEALTHY", "0", "2026-01-02T03:04:05Z", ""),
                List.of(lines.get(0).split("\t", -1)));
    }

    @Test
    void anEmptyTableSaysNoneUnlessPlain() {
        String text = capture(out -> Views.mounts(List.of(), out, true));
        assertEquals(Views.NONE, text.lines().reduce((a, b) -> b).orElseThrow(), text);
        assertEquals("", capture(out -> Views.mounts(List.of(), out, false)));
    }

    @Test
    void configurationMasksSensitiveKeys() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("mount.base", "/var/lib/volumedriver/mnt");
        config.put("client.auth.token", "abc123");
        String text = capture(out -> Views.configuration(config, out, true));
        assertFalse(text.contains("abc123"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("client.auth.token \\| \\*\\*\\*")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("mount.base\\s+\\| /var/lib/volumedriver/mnt")), text);
    }
}
