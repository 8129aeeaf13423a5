package io.nodescope.event;

import java.util.Objects;

/**
 * A task as the kernel named it at the moment of an event.
 *
 * @param tgid     process id (thread group id)
 * @param tid      thread id (the kernel's pid)
 * @param uid      real user id in the initial user namespace
 * @param memcgId  kernfs id of the task's memory cgroup (the inode of its directory); 0 unknown
 * @param comm     the kernel's 15-character task name
 */
public record TaskIdentity(int tgid, int tid, int uid, long memcgId, String comm) {
    public TaskIdentity {
        Objects.requireNonNull(comm, "comm");
    }
}
