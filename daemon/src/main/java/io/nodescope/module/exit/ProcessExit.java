package io.nodescope.module.exit;

import io.nodescope.event.NodeEvent;
import io.nodescope.event.TaskIdentity;

import java.util.Objects;

/**
 * A thread group died by a signal, or an OOM victim died (sched:sched_process_exit, filtered in
 * the kernel).
 *
 * @param task        the last thread of the group to exit
 * @param waitStatus  the wait(2) status: exit status in bits 8-15, terminating signal in bits 0-6
 * @param oomVictim   the kernel had marked the process as an OOM victim
 */
public record ProcessExit(long bootTimeNanos, TaskIdentity task, int waitStatus, boolean oomVictim)
        implements NodeEvent {
    public ProcessExit {
        Objects.requireNonNull(task, "task");
    }

    /** The terminating signal, 0 when the process exited normally. */
    public int terminatingSignal() {
        return waitStatus & 0x7f;
    }

    public boolean coreDumped() {
        return (waitStatus & 0x80) != 0;
    }

    /** The code a shell or a container runtime reports: 128 + signal (137 for SIGKILL), or the exit status. */
    public int exitCode() {
        int signal = terminatingSignal();
        return signal != 0 ? 128 + signal : (waitStatus >> 8) & 0xff;
    }
}
