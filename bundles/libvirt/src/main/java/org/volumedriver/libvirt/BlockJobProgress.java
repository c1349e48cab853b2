package org.volumedriver.libvirt;

/**
 * Told how far a block job (a commit or a pull) has come, each time the job is looked at. Called on
 * the thread that waits for the job; a callback that throws is logged and does not stop the job.
 */
@FunctionalInterface
public interface BlockJobProgress {

    /**
     * @param current the work done, in libvirt's units (bytes for commit and pull)
     * @param end the work in all; it may grow while the guest writes, and is 0 before the job has
     *        measured it
     */
    void progress(long current, long end);
}
