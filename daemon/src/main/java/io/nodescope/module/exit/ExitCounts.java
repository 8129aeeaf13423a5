package io.nodescope.module.exit;

import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * nodescope_process_exits_total{signal}: deaths the module saw, by terminating signal ("none" for
 * an OOM victim that exited on its own). At most 65 label values: the signal numbers are bounded.
 */
final class ExitCounts {
    private static final String[] NAMES = {"none", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
            "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
            "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
            "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private final MetricsRegistry metrics;
    private final ConcurrentMap<Integer, Counter> bySignal = new ConcurrentHashMap<>();

    ExitCounts(MetricsRegistry metrics) {
        this.metrics = metrics;
    }

    void count(ProcessExit exit) {
        bySignal.computeIfAbsent(exit.terminatingSignal(), signal -> metrics.counter("nodescope_process_exits_total",
                "Process deaths by a signal (and OOM victims' deaths) seen by the exit module", "signal",
                signalName(signal))).increment();
    }

    /** The kernel's name for an x86/arm64 signal number; real-time signals as SIGRTMIN+n. */
    static String signalName(int signal) {
        if (signal >= 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        return signal >= 34 && signal <= 64 ? "SIGRTMIN+" + (signal - 34) : "SIG" + signal;
    }
}
