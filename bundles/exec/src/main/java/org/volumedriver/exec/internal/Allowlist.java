package org.volumedriver.exec.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.slf4j.Logger;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.TransientScope;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.Redactor;

/**
 * One compiled, immutable configuration: the allowlist with its patterns compiled and its
 * executables checked, and the semaphore that bounds concurrency under it. It checks a request and
 * assembles the whole argv that runs for it (root helper, {@code timeout(1)}, scope wrapper).
 */
final class Allowlist {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Most arguments a request may carry. */
    static final int MAX_ARGUMENTS = 64;
    /** Longest argument a request may carry. */
    static final int MAX_ARGUMENT_LENGTH = 8192;
    /** Seconds after SIGTERM before {@code timeout(1)} sends SIGKILL. */
    static final int HELPER_KILL_AFTER_SECONDS = 2;

    /** A compiled command; its problem is re-checked when it is asked for while unusable. */
    private static final class Entry {
        private final ExecutorSettings.CommandSpec spec;
        private final List<List<Pattern>> forms;
        private volatile String problem;

        Entry(ExecutorSettings.CommandSpec spec, List<List<Pattern>> forms, String problem) {
            this.spec = spec;
            this.forms = forms;
            this.problem = problem;
        }

        ExecutorSettings.CommandSpec spec() {
            return spec;
        }

        List<List<Pattern>> forms() {
            return forms;
        }

        String problem() {
            return problem;
        }

        boolean usable() {
            return problem == null;
        }

        /** An executable installed or fixed after activation becomes usable without a reload. */
        boolean recheck(int uid, Logger log) {
            if (problem == null) {
                return true;
            }
            String now = ExecutableCheck.problem(spec.executable(), uid);
            if (now == null) {
                problem = null;
                log.info("command {} is usable now ({})", spec.name(), spec.executable());
                return true;
            }
            return false;
        }
    }

    private final ExecutorSettings settings;
    private final Map<String, Entry> entries;
    private final Semaphore slots;
    private final int uid;
    private final boolean root;
    private final String rootHelperProblem;
    private final Logger log;

    private Allowlist(ExecutorSettings settings, Map<String, Entry> entries, int uid, String rootHelperProblem,
            Logger log) {
        this.settings = settings;
        this.uid = uid;
        this.log = log;
        this.entries = entries;
        this.root = uid == 0;
        this.rootHelperProblem = rootHelperProblem;
        this.slots = new Semaphore(settings.maxConcurrent(), true);
    }

    /**
     * Validates and compiles settings. Malformed settings are refused as a whole; an executable
     * that fails its checks only makes its own command unusable (logged once).
     */
    static Allowlist compile(ExecutorSettings settings, int uid, Logger log) throws InvalidConfigurationException {
        if (settings.maxConcurrent() < 1 || settings.maxConcurrent() > ExecutorSettings.MAX_CONCURRENT_LIMIT) {
            throw new InvalidConfigurationException("max.concurrent",
                    "must be between 1 and " + ExecutorSettings.MAX_CONCURRENT_LIMIT);
        }
        if (settings.queueTimeout().isNegative() || settings.queueTimeout().toMinutes() > 10) {
            throw new InvalidConfigurationException("queue.timeout.ms", "must be between 0 and 10 minutes");
        }
        if (settings.outputCapBytes() < ExecutorSettings.MIN_OUTPUT_CAP
                || settings.outputCapBytes() > ExecutorSettings.MAX_OUTPUT_CAP) {
            throw new InvalidConfigurationException("output.cap.bytes", "must be between "
                    + ExecutorSettings.MIN_OUTPUT_CAP + " and " + ExecutorSettings.MAX_OUTPUT_CAP);
        }
        String helperProblem = null;
        if (!settings.rootHelper().isEmpty()) {
            for (String part : settings.rootHelper()) {
                if (part == null || part.isEmpty() || hasControl(part)) {
                    throw new InvalidConfigurationException("root.helper", "contains an empty or control-character part");
                }
            }
            if (!Path.of(settings.rootHelper().get(0)).isAbsolute()) {
                throw new InvalidConfigurationException("root.helper", "the helper must be an absolute path");
            }
            helperProblem = ExecutableCheck.problem(settings.rootHelper().get(0), uid);
            String timeout = settings.helperTimeout();
            if (!timeout.isEmpty()) {
                if (!timeout.startsWith("/") || hasControl(timeout)) {
                    throw new InvalidConfigurationException("root.helper.timeout", "must be an absolute path or empty");
                }
                String timeoutProblem = ExecutableCheck.problem(timeout, uid);
                if (helperProblem == null && timeoutProblem != null) {
                    // never run a privileged command whose timeout could not be enforced
                    helperProblem = "root.helper.timeout " + timeout + ": " + timeoutProblem;
                }
            }
            if (helperProblem != null && uid != 0) {
                log.error("root helper {} is unusable ({}); privileged commands are refused",
                        settings.rootHelper().get(0), helperProblem);
            }
        }
        NamedPatterns named = NamedPatterns.of(settings.patterns());
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (ExecutorSettings.CommandSpec spec : settings.commands()) {
            String key = "command." + spec.name();
            if (!NAME.matcher(spec.name()).matches()) {
                throw new InvalidConfigurationException("commands", "command name " + Redactor.quote(spec.name())
                        + " must match " + NAME.pattern());
            }
            if (entries.containsKey(spec.name())) {
                throw new InvalidConfigurationException("commands", "command " + spec.name() + " is listed twice");
            }
            if (!spec.executable().startsWith("/") || hasControl(spec.executable())) {
                throw new InvalidConfigurationException(key + ".executable", "must be an absolute path");
            }
            List<List<Pattern>> forms = new ArrayList<>();
            for (List<String> form : spec.forms()) {
                List<Pattern> compiled = new ArrayList<>();
                for (String token : form) {
                    if (token == null || token.isEmpty()) {
                        throw new InvalidConfigurationException(key + ".forms", "contains an empty pattern");
                    }
                    String regex = named.resolve(token, key + ".forms");
                    try {
                        compiled.add(Pattern.compile(regex));
                    } catch (PatternSyntaxException e) {
                        throw new InvalidConfigurationException(key + ".forms", "pattern "
                                + Redactor.quote(token) + " is not a valid regular expression");
                    }
                }
                if (compiled.size() > MAX_ARGUMENTS) {
                    throw new InvalidConfigurationException(key + ".forms", "a form has too many positions");
                }
                forms.add(List.copyOf(compiled));
            }
            String problem = ExecutableCheck.problem(spec.executable(), uid);
            if (problem != null) {
                log.error("command {} is unusable: {} ({})", spec.name(), problem, spec.executable());
            }
            entries.put(spec.name(), new Entry(spec, List.copyOf(forms), problem));
        }
        return new Allowlist(settings, entries, uid, helperProblem, log);
    }

    ExecutorSettings settings() {
        return settings;
    }

    List<CommandDefinition> definitions() {
        List<CommandDefinition> defs = new ArrayList<>();
        for (Entry e : entries.values()) {
            ExecutorSettings.CommandSpec s = e.spec();
            defs.add(new CommandDefinition(s.name(), s.executable(), s.privileged(), s.forms(), e.usable(), e.problem()));
        }
        return List.copyOf(defs);
    }

    Semaphore slots() {
        return slots;
    }

    boolean privileged(String name) {
        Entry entry = entries.get(name);
        return entry != null && entry.spec().privileged();
    }

    boolean knows(String name) {
        return entries.containsKey(name);
    }

    /**
     * What runs for a request.
     *
     * @param argv the full argv
     * @param helperTimeout the timeout {@code timeout(1)} enforces inside the root helper, or
     *        {@code null} when the JVM enforces it alone
     */
    record Invocation(List<String> argv, Duration helperTimeout) {
    }

    /**
     * Checks a request and builds what runs. Nothing is spawned here.
     *
     * @param request the request
     * @return the argv and how its timeout is enforced
     * @throws CommandRejectedException naming the offending command, argument position or setting
     */
    Invocation invocation(CommandRequest request) throws CommandRejectedException {
        String name = request.command();
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new CommandRejectedException(name, "not in the allowlist");
        }
        if (!entry.recheck(uid, log)) {
            throw new CommandRejectedException(name, "executable is unusable: " + entry.problem());
        }
        List<String> args = request.arguments();
        checkArguments(name, entry, args);
        Entry wrapper = null;
        TransientScope scope = request.scope();
        if (scope != null) {
            wrapper = entries.get(ExecutorSettings.SCOPE_COMMAND);
            if (wrapper == null || !wrapper.recheck(uid, log)) {
                throw new CommandRejectedException(name, "a systemd scope was requested but "
                        + ExecutorSettings.SCOPE_COMMAND + " is not usable");
            }
        }
        List<String> argv = new ArrayList<>(args.size() + 16);
        Duration helperTimeout = null;
        boolean privileged = entry.spec().privileged() || (wrapper != null && wrapper.spec().privileged());
        if (privileged && !root && !settings.rootHelper().isEmpty()) {
            if (rootHelperProblem != null) {
                throw new CommandRejectedException(name, "the root helper is unusable: " + rootHelperProblem);
            }
            argv.addAll(settings.rootHelper());
            if (!settings.helperTimeout().isEmpty()) {
                // the command runs as root: only something running as root can kill it (and its
                // process group) when it hangs
                helperTimeout = request.timeout();
                argv.addAll(helperTimeoutPrefix(settings.helperTimeout(), helperTimeout));
            }
        }
        if (wrapper != null) {
            argv.addAll(scopePrefix(wrapper.spec().executable(), scope));
        }
        argv.add(entry.spec().executable());
        argv.addAll(args);
        return new Invocation(argv, helperTimeout);
    }

    /**
     * @param timeoutExecutable the path of {@code timeout(1)}
     * @param timeout the request's timeout
     * @return {@code timeout --kill-after=2s <seconds>s}, the seconds with millisecond precision
     */
    static List<String> helperTimeoutPrefix(String timeoutExecutable, Duration timeout) {
        long millis = Math.max(1, timeout.toMillis()); // 0 would switch timeout(1) off
        String seconds = String.format(Locale.ROOT, "%d.%03ds", millis / 1000, millis % 1000);
        return List.of(timeoutExecutable, "--kill-after=" + HELPER_KILL_AFTER_SECONDS + "s", seconds);
    }

    /** @return {@code <systemd-run> --scope --quiet --collect --unit=<u> --slice=<s> --description=<d> --} */
    static List<String> scopePrefix(String systemdRun, TransientScope scope) {
        List<String> prefix = new ArrayList<>(8);
        prefix.add(systemdRun);
        prefix.add("--scope");
        prefix.add("--quiet");
        prefix.add("--collect");
        prefix.add("--unit=" + scope.unit());
        prefix.add("--slice=" + scope.slice());
        prefix.add("--description=" + scope.description());
        prefix.add("--");
        return prefix;
    }

    private static void checkArguments(String name, Entry entry, List<String> args) throws CommandRejectedException {
        if (args.size() > MAX_ARGUMENTS) {
            throw new CommandRejectedException(name, "too many arguments (" + args.size() + ")");
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg == null) {
                throw new CommandRejectedException(name, "argument " + (i + 1) + " is null");
            }
            if (arg.length() > MAX_ARGUMENT_LENGTH) {
                throw new CommandRejectedException(name, "argument " + (i + 1) + " is too long");
            }
            if (hasControl(arg)) {
                throw new CommandRejectedException(name, "argument " + (i + 1) + " contains a control character");
            }
        }
        String firstMismatch = null;
        for (List<Pattern> form : entry.forms()) {
            if (form.size() != args.size()) {
                continue;
            }
            String mismatch = mismatch(form, args);
            if (mismatch == null) {
                return;
            }
            if (firstMismatch == null) {
                firstMismatch = mismatch;
            }
        }
        if (firstMismatch != null) {
            throw new CommandRejectedException(name, firstMismatch);
        }
        List<Integer> counts = entry.forms().stream().map(List::size).distinct().toList();
        throw new CommandRejectedException(name, "wrong number of arguments (" + args.size() + "); allowed: "
                + (counts.isEmpty() ? "none, the command cannot be run directly" : counts));
    }

    /** @return why the arguments do not fit the form, or {@code null} if they do */
    private static String mismatch(List<Pattern> form, List<String> args) {
        for (int i = 0; i < form.size(); i++) {
            Pattern pattern = form.get(i);
            String arg = args.get(i);
            // an option may only appear where the form itself puts an option
            if (arg.startsWith("-") && !pattern.pattern().startsWith("-")) {
                return "argument " + (i + 1) + " " + Redactor.quote(arg) + " starts with '-' where a value is expected";
            }
            if (!pattern.matcher(arg).matches()) {
                return "argument " + (i + 1) + " " + Redactor.quote(arg) + " does not match its rule";
            }
        }
        return null;
    }

    /** Unicode C0 controls (NUL, newline, ...), DEL and the C1 control block are never passed on. */
    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                return true;
            }
        }
        return false;
    }
}
