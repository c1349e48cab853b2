package org.volumedriver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The 1.3 additions: an image is a validated value, and a 1.2 driver says it cannot inspect or follow. */
class VolumeImageTest {

    static final VolumeLocation TOP = new VolumeLocation("/m/x", "volume-1.snap");

    @Test
    void aQcow2WithADeclaredBackingFile() {
        VolumeImage image = new VolumeImage(TOP, "qcow2", 1 << 30, 196_616, Optional.of("volume-1"), Optional.of("raw"));
        assertEquals(Path.of("/m/x/volume-1.snap"), image.path());
        assertEquals(Optional.of(Path.of("/m/x/volume-1")), image.backingPath());
        assertFalse(image.backingFormatUndeclared());
    }

    @Test
    void anUndeclaredBackingFormatIsAFact() {
        VolumeImage image = new VolumeImage(TOP, "qcow2", 1 << 30, 196_616, Optional.of("volume-1"), Optional.empty());
        assertTrue(image.backingFormatUndeclared());
        VolumeImage raw = new VolumeImage(TOP, "raw", 10, 10, Optional.empty(), Optional.empty());
        assertFalse(raw.backingFormatUndeclared());
        assertEquals(Optional.empty(), raw.backingPath());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "QCOW2", "vmdk", "raw ", "qcow"})
    void onlyRawAndQcow2AreFormats(String format) {
        assertThrows(IllegalArgumentException.class, () -> new VolumeImage(TOP, format, 0, 0, Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new VolumeImage(TOP, "qcow2", 0, 0, Optional.of("volume-1"), Optional.of(format)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "../volume-1", "/m/x/volume-1", "a/b", "-x", ".hidden", "a\nb", "volume-1.snap"})
    void aHostileOrSelfBackingNameIsRefused(String backing) {
        assertThrows(IllegalArgumentException.class, () -> new VolumeImage(TOP, "qcow2", 0, 0, Optional.of(backing), Optional.empty()));
    }

    @Test
    void inconsistentPartsAreRefused() {
        List<Runnable> bad = List.of(
                () -> new VolumeImage(null, "raw", 0, 0, Optional.empty(), Optional.empty()),
                () -> new VolumeImage(TOP, null, 0, 0, Optional.empty(), Optional.empty()),
                () -> new VolumeImage(TOP, "raw", -1, 0, Optional.empty(), Optional.empty()),
                () -> new VolumeImage(TOP, "raw", 0, -1, Optional.empty(), Optional.empty()),
                () -> new VolumeImage(TOP, "raw", 0, 0, Optional.of("volume-1"), Optional.empty()),
                () -> new VolumeImage(TOP, "qcow2", 0, 0, Optional.empty(), Optional.of("raw")),
                () -> new VolumeImage(TOP, "qcow2", 0, 0, null, Optional.empty()),
                () -> new VolumeImage(TOP, "qcow2", 0, 0, Optional.empty(), null));
        for (Runnable r : bad) {
            assertThrows(RuntimeException.class, r::run);
        }
    }

    @Test
    void aDriverWrittenAgainstTheOldContractCannotInspectOrFollow() throws Exception {
        VolumeDriver old = new ReconciliationContractTest.OldDriver();
        ConnectionInfo info = ConnectionInfo.fromMap(java.util.Map.of("driver_volume_type", "old",
                "data", java.util.Map.of("export", "host/v", "name", "volume-1")));
        assertEquals("inspectImage", assertThrows(OperationNotSupportedException.class, () -> old.inspectImage(info, "volume-1")).operation());
        assertEquals("follow", assertThrows(OperationNotSupportedException.class,
                () -> old.follow(TOP, "volume-1", new Attachment("volume-1.snap", "i-1"))).operation());
    }

    @Test
    void everyTopicIsBelowThePrefix() throws Exception {
        for (var field : VolumeEvents.class.getFields()) {
            String value = (String) field.get(null);
            if (value.contains("/") && !value.equals(VolumeEvents.TOPIC_PREFIX)) {
                assertTrue(value.startsWith(VolumeEvents.TOPIC_PREFIX) && value.matches("org/volumedriver/([a-z]+/[A-Z_]+|\\*)"), value);
            }
        }
    }
}
