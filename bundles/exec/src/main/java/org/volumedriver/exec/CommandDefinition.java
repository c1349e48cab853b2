package org.volumedriver.exec;

import java.util.List;

/**
 * One allowlisted command as administrators see it.
 *
 * @param name the logical name callers use
 * @param executable the absolute path of the executable
 * @param privileged whether the root-helper prefix applies
 * @param forms the allowed argument forms: each a list of anchored patterns, one per position
 * @param usable whether the executable passed its checks (absolute, exists, regular file, not
 *        group- or world-writable)
 * @param problem why it is not usable, empty when it is
 */
public record CommandDefinition(String name, String executable, boolean privileged, List<List<String>> forms,
        boolean usable, String problem) {

    /**
     * Copies the forms.
     *
     * @param name the logical name
     * @param executable the executable
     * @param privileged whether privileged
     * @param forms the argument forms
     * @param usable whether usable
     * @param problem the problem, {@code null} for none
     */
    public CommandDefinition {
        forms = forms.stream().map(List::copyOf).toList();
        problem = problem == null ? "" : problem;
    }
}
