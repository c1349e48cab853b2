package org.volumedriver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttachmentAndDiskSpecTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "-rf", "../x", "a/b", "a b", "a\nb", ".hidden", "a..b"})
    void hostileInstanceIsRefusedWithTypedError(String instance) {
        InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class,
                () -> Attachment.of("volume-1", instance));
        assertEquals("instance", e.field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-x", "../../etc/shadow", "/etc/shadow", "a/b"})
    void hostileVolumeIsRefusedWithTypedError(String volume) {
        assertEquals("data.name", assertThrows(InvalidConnectionInfoException.class, () -> Attachment.of(volume, "i-1")).field());
        assertThrows(IllegalArgumentException.class, () -> new Attachment(volume, "i-1"));
    }

    @Test
    void attachmentsSortAndPrint() throws Exception {
        Attachment a = Attachment.of("volume-a", "i-2");
        Attachment b = Attachment.of("volume-a", "i-1");
        assertEquals(List.of(b, a), List.copyOf(new java.util.TreeSet<>(Set.of(a, b))));
        assertEquals("volume-a@i-1", b.toString());
    }

    @Test
    void diskSpecBuilderRoundTripsAndRequiresSource() {
        DiskSpec spec = DiskSpec.builder().sourceType("file").sourcePath("/m/volume-1").format("raw")
                .cache("none").io("native").target("vdb", "virtio").serial("abc").readOnly(true).discard("unmap").build();
        assertEquals(spec, spec.toBuilder().build());
        assertEquals("vdb", spec.targetDev().orElseThrow());
        assertThrows(NullPointerException.class, () -> DiskSpec.builder().sourceType("file").format("raw").build());
    }

    @Test
    void mountStatusCopiesAttachments() throws Exception {
        java.util.Set<Attachment> set = new java.util.HashSet<>(Set.of(Attachment.of("volume-1", "i-1")));
        MountStatus status = new MountStatus("quobyte", "reg/vol", "/m/x", MountState.HEALTHY, null, Instant.EPOCH, null);
        assertEquals(0, status.attachments().size());
        MountStatus withSet = new MountStatus("quobyte", "reg/vol", "/m/x", MountState.HEALTHY, set, Instant.EPOCH, "");
        set.clear();
        assertEquals(1, withSet.attachments().size());
    }
}
