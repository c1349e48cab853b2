package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.quobyte.HealStep;

/**
 * The steps of one heal, in order: each is kept for the report, counted
 * ({@code heal.<action>.<outcome>}, for example {@code heal.abort.done}) and logged.
 */
final class HealSteps {

    private static final Logger LOG = LoggerFactory.getLogger(HealSteps.class);

    private final Path dir;
    private final Counters counters;
    private final List<HealStep> steps = new ArrayList<>();

    /**
     * @param dir the mount directory being healed
     * @param counters where the steps are counted
     */
    HealSteps(Path dir, Counters counters) {
        this.dir = dir;
        this.counters = counters;
    }

    /**
     * @param action the step
     * @param outcome how it went
     * @param detail what to add, or empty
     */
    void add(HealStep.Action action, HealStep.Outcome outcome, String detail) {
        HealStep step = new HealStep(action, outcome, detail);
        steps.add(step);
        counters.increment("heal." + key(action.name()) + "." + key(outcome.name()));
        String suffix = step.detail().isEmpty() ? "" : " (" + step.detail() + ")";
        if (outcome == HealStep.Outcome.FAILED) {
            LOG.warn("heal of {}: {} failed{}", dir, key(action.name()), suffix);
        } else {
            LOG.info("heal of {}: {} {}{}", dir, key(action.name()), key(outcome.name()), suffix);
        }
    }

    /** @return whether this step has been reported already, whatever its outcome */
    boolean has(HealStep.Action action) {
        return steps.stream().anyMatch(s -> s.action() == action);
    }

    /** @return the steps so far, in order */
    List<HealStep> steps() {
        return List.copyOf(steps);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '.');
    }
}
