package org.volumedriver.shell.internal;

import java.io.PrintStream;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.Terminal;
import org.volumedriver.libvirt.BlockJobProgress;

/**
 * Shows a block job's progress in the console while a command waits for it. On a terminal that
 * can return to the start of a line, one line is rewritten with each new percentage; otherwise
 * (a script, {@code bin/client} with a command, a pipe) a plain line is printed at every tenth,
 * so logs stay short and readable.
 *
 * <p>libvirt may report from another thread than the command's, so the console stream is given
 * here once, and reports are serialized.
 */
public final class BlockJobProgressLine implements BlockJobProgress {

    private final PrintStream out;
    private final boolean rewrite;
    private final String label;
    private int shown = -1;
    private boolean lineOpen;

    /**
     * @param out the command's console
     * @param rewrite {@code true} when the terminal can rewrite the current line
     * @param label what the job does, e.g. {@code Block commit}
     */
    public BlockJobProgressLine(PrintStream out, boolean rewrite, String label) {
        this.out = out;
        this.rewrite = rewrite;
        this.label = label;
    }

    /**
     * @param session the command's session, possibly {@code null}
     * @param out the command's console
     * @param label what the job does
     * @return a line rewritten in place on an interactive ANSI terminal, plain lines otherwise
     */
    public static BlockJobProgressLine forSession(Session session, PrintStream out, String label) {
        Terminal terminal = session == null ? null : session.getTerminal();
        boolean rewrite = terminal != null && terminal.isAnsiSupported() && !"dumb".equals(terminal.getType());
        return new BlockJobProgressLine(out, rewrite, label);
    }

    @Override
    public synchronized void progress(long current, long end) {
        if (end <= 0 || current < 0) {
            return; // libvirt reports 0/0 until the job has sized its work
        }
        int percent = (int) Math.min(100, (long) Math.floor(100.0 * Math.min(current, end) / end));
        boolean news = rewrite ? percent > shown
                : shown < 0 || percent / 10 > shown / 10 || (percent == 100 && shown < 100);
        if (!news) {
            return;
        }
        shown = percent;
        if (rewrite) {
            out.print("\r" + label + ": " + percent + "%");
            lineOpen = true;
        } else {
            out.println(label + ": " + percent + "%");
        }
        out.flush();
    }

    /** Ends a rewritten line, so that what follows starts on a line of its own. */
    public synchronized void finish() {
        if (lineOpen) {
            out.println();
            out.flush();
            lineOpen = false;
        }
    }
}
