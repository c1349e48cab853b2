package org.volumedriver.libvirt.internal;

import java.util.ArrayList;
import java.util.List;

import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.MergeKind;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.Redactor;

/**
 * Nova's rule for deleting an assisted snapshot, applied to a disk's chain of file names (active
 * first): which block job, with which files, and what the chain is afterwards. Pure: it decides,
 * nothing runs.
 *
 * <ul>
 * <li>{@code mergeTargetFile == null}: a pull into the active image. Its new backing file is
 * {@code fileToMerge}, which must be exactly two places below the active file, so that exactly one
 * file lies between them and is merged away. {@code fileToMerge == null} pulls everything and is
 * allowed only when the active file's backing file is the last of the chain.</li>
 * <li>otherwise a commit of top {@code fileToMerge} into base {@code mergeTargetFile}, its direct
 * backing file. The active file is never a commit's top (that would be an active commit, which
 * needs a pivot; Nova asks for a pull instead).</li>
 * </ul>
 *
 * @param kind commit or pull
 * @param top the commit's top (the merged-away file), {@code null} for a pull
 * @param base the commit's base or the pull's new backing file, {@code null} for a pull of everything
 * @param mergedAway the file that leaves the chain
 * @param after the chain afterwards, active first
 */
record MergePlan(MergeKind kind, String top, String base, String mergedAway, List<String> after) {

    MergePlan {
        after = List.copyOf(after);
    }

    /**
     * @param chain the disk's chain of file names, active first
     * @param fileToMerge see the rule
     * @param mergeTargetFile see the rule
     * @return the plan
     * @throws ChainMismatchException if the files do not stand in the chain as the rule needs
     * @throws InvalidConnectionInfoException if a commit names no {@code fileToMerge}
     */
    static MergePlan of(List<String> chain, String fileToMerge, String mergeTargetFile)
            throws ChainMismatchException, InvalidConnectionInfoException {
        if (chain.size() < 2) {
            throw new ChainMismatchException("the active file " + Redactor.quote(chain.get(0)) + " has no backing file: nothing to merge");
        }
        return mergeTargetFile == null ? pull(chain, fileToMerge) : commit(chain, fileToMerge, mergeTargetFile);
    }

    private static MergePlan pull(List<String> chain, String newBase) throws ChainMismatchException {
        String between = chain.get(1);
        if (newBase == null) {
            if (chain.size() != 2) {
                throw new ChainMismatchException("file_to_merge null pulls the whole chain into the active file, which is allowed only when "
                        + "its backing file is the last of the chain; the chain has " + chain.size() + " files");
            }
            return new MergePlan(MergeKind.REBASE, null, null, between, List.of(chain.get(0)));
        }
        int at = chain.indexOf(newBase);
        if (at != 2) {
            throw new ChainMismatchException(Redactor.quote(newBase) + " " + where(chain, at)
                    + "; a rebase needs it exactly two places below the active file, with one file between");
        }
        return new MergePlan(MergeKind.REBASE, null, newBase, between, without(chain, 1));
    }

    private static MergePlan commit(List<String> chain, String top, String base)
            throws ChainMismatchException, InvalidConnectionInfoException {
        if (top == null) {
            throw new InvalidConnectionInfoException("file_to_merge", "is required with merge_target_file");
        }
        int at = chain.indexOf(top);
        if (at < 0) {
            throw new ChainMismatchException(Redactor.quote(top) + " " + where(chain, at));
        }
        if (at == 0) {
            throw new ChainMismatchException(Redactor.quote(top) + " is the active file: it is merged by a rebase "
                    + "(merge_target_file null), never committed");
        }
        if (at + 1 >= chain.size() || !chain.get(at + 1).equals(base)) {
            throw new ChainMismatchException(Redactor.quote(base) + " is not the direct backing file of " + Redactor.quote(top)
                    + (at + 1 < chain.size() ? "; that is " + Redactor.quote(chain.get(at + 1)) : "; it has none"));
        }
        return new MergePlan(MergeKind.COMMIT, top, base, top, without(chain, at));
    }

    private static String where(List<String> chain, int at) {
        return switch (at) {
            case -1 -> "is not in the disk's chain " + chain.stream().map(Redactor::quote).toList();
            case 0 -> "is the active file";
            case 1 -> "is the active file's direct backing file";
            default -> "lies " + at + " places below the active file";
        };
    }

    private static List<String> without(List<String> chain, int index) {
        List<String> after = new ArrayList<>(chain);
        after.remove(index);
        return after;
    }
}
