package org.volumedriver.libvirt;

/**
 * Where an attach or detach takes effect.
 */
public enum AttachMode {
    /** The running guest only; the persistent definition is not changed. The domain must run. */
    LIVE,
    /** The persistent definition only; takes effect at the next start. */
    CONFIG,
    /** The running guest and the persistent definition. */
    LIVE_AND_CONFIG
}
