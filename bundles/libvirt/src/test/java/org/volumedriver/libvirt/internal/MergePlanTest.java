package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.MergeKind;
import org.volumedriver.spi.InvalidConnectionInfoException;

/** Nova's rule for deleting an assisted snapshot, on chains of names (active first). */
class MergePlanTest {

    /** active s3 -> s2 -> s1 -> base */
    static final List<String> CHAIN = List.of("s3", "s2", "s1", "base");

    @Test
    void withoutAMergeTargetTheFileBetweenIsPulledIntoTheActiveFile() throws Exception {
        MergePlan plan = MergePlan.of(CHAIN, "s1", null);
        assertEquals(MergeKind.REBASE, plan.kind());
        assertEquals("s1", plan.base());
        assertNull(plan.top());
        assertEquals("s2", plan.mergedAway());
        assertEquals(List.of("s3", "s1", "base"), plan.after());
    }

    @Test
    void pullingEverythingOnlyWhenTheBackingFileIsTheLastOne() throws Exception {
        MergePlan plan = MergePlan.of(List.of("s1", "base"), null, null);
        assertEquals(MergeKind.REBASE, plan.kind());
        assertNull(plan.base());
        assertEquals("base", plan.mergedAway());
        assertEquals(List.of("s1"), plan.after());
        ChainMismatchException e = assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, null, null));
        assertTrue(e.getMessage().contains("the chain has 4 files"), e.getMessage());
        assertEquals("CHAIN_MISMATCH", e.code());
    }

    @Test
    void aRebaseNeedsExactlyOneFileBetween() {
        // the active file's direct backing: nothing would lie between
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "s2", null)).getMessage()
                .contains("direct backing"));
        // two files between
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "base", null)).getMessage()
                .contains("3 places below"));
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "s3", null)).getMessage()
                .contains("is the active file"));
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "other", null)).getMessage()
                .contains("not in the disk's chain"));
    }

    @Test
    void withAMergeTargetTheFileIsCommittedIntoItsDirectBackingFile() throws Exception {
        MergePlan plan = MergePlan.of(CHAIN, "s1", "base");
        assertEquals(MergeKind.COMMIT, plan.kind());
        assertEquals("s1", plan.top());
        assertEquals("base", plan.base());
        assertEquals("s1", plan.mergedAway());
        assertEquals(List.of("s3", "s2", "base"), plan.after());

        MergePlan middle = MergePlan.of(CHAIN, "s2", "s1");
        assertEquals(List.of("s3", "s1", "base"), middle.after());
    }

    @Test
    void aCommitNeedsAdjacentFilesAndNeverTheActiveOneOnTop() {
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "s2", "base")).getMessage()
                .contains("is not the direct backing file of 's2'; that is 's1'"));
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "base", "s1")).getMessage()
                .contains("it has none"));
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "s3", "s2")).getMessage()
                .contains("is the active file"));
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "s1", "s1")).getMessage()
                .contains("not the direct backing"));
        assertTrue(assertThrows(ChainMismatchException.class, () -> MergePlan.of(CHAIN, "gone", "base")).getMessage()
                .contains("not in the disk's chain"));
        InvalidConnectionInfoException missing = assertThrows(InvalidConnectionInfoException.class, () -> MergePlan.of(CHAIN, null, "base"));
        assertEquals("file_to_merge", missing.field());
    }

    @Test
    void anActiveFileWithoutBackingHasNothingToMerge() {
        assertThrows(ChainMismatchException.class, () -> MergePlan.of(List.of("base"), null, null));
        assertThrows(ChainMismatchException.class, () -> MergePlan.of(List.of("base"), "x", "y"));
    }
}
