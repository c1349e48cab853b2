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
     * The disk was removed where asked, but the domain still references it elsewhere: the running
     * guest after a persistent-only ({@link AttachMode#CONFIG}) detach, or the persistent definition
     * after a live-only ({@link AttachMode#LIVE}) detach. The volume stays connected; a detach
     * covering the rest releases it.
     */
    STILL_REFERENCED
}
