package org.volumedriver.libvirt;

/**
 * What a detach did.
 */
public enum DetachOutcome {
    /** The device is gone from the domain and the volume was disconnected from this host. */
    DETACHED,
    /**
     * The domain had no such disk (a repeated detach); the attachment was disconnected so that
     * nothing stays mounted for it.
     */
    NOT_ATTACHED,
    /**
     * libvirt accepted the detach request but the guest has not released the device within the
     * bounded wait. The volume stays connected; the device may still go later (ask again by
     * repeating the detach) or never (a guest that ignores the request).
     */
    NOT_RELEASED,
    /**
     * A persistent-only detach removed the disk from the domain's definition, but the running guest
     * still uses it; the volume stays connected until a live detach removes it there too.
     */
    REMOVED_FROM_CONFIG_ONLY
}
