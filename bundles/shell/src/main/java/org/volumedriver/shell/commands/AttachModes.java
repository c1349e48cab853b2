package org.volumedriver.shell.commands;

import org.volumedriver.libvirt.AttachMode;

/** Maps {@code --live} / {@code --config} to an {@link AttachMode}, as virsh does. */
final class AttachModes {

    private AttachModes() {
    }

    /**
     * @param live {@code --live} given
     * @param config {@code --config} given
     * @return both: live and persistent; only {@code --config}: persistent; otherwise live
     */
    static AttachMode of(boolean live, boolean config) {
        if (config) {
            return live ? AttachMode.LIVE_AND_CONFIG : AttachMode.CONFIG;
        }
        return AttachMode.LIVE;
    }
}
