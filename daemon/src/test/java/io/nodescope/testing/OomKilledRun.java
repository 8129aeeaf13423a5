package io.nodescope.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;

/**
 * One real memcg OOM kill: oom-alloc run in a fresh memory cgroup with a small limit until the
 * kernel kills it. The cgroup is removed before this returns; what the tests compare spans
 * against is kept.
 *
 * @param pid         oom-alloc's pid (the shell exec'd it, so it is both victim and trigger)
 * @param exitValue   as java.lang.Process reports it: 128 + signal for a signalled child
 * @param cgroupId    the memcg id BPF reports (inode of the cgroup directory)
 * @param cgroupPath  the cgroup path relative to the memory hierarchy's root
 * @param limitBytes  the memory limit the test set
 * @param output      what oom-alloc printed
 */
public record OomKilledRun(long pid, int exitValue, long cgroupId, String cgroupPath, long limitBytes,
                           String output) {
    /** Far above any limit used, yet bounded: without a working limit the run ends at this cap. */
    private static final String CAP_MIB = "256";
    public static final int KILLED_BY_SIGKILL = 128 + 9;

    public static OomKilledRun run(String cgroupNamePrefix, long limitBytes) throws Exception {
        try (MemoryCgroup cgroup = MemoryCgroup.create(cgroupNamePrefix, limitBytes)) {
            Process victim = cgroup.start(List.of(OomAllocBinary.path().toString(), "-t", CAP_MIB));
            String output = new String(victim.getInputStream().readAllBytes(), UTF_8);
            int exitValue = victim.waitFor();
            return new OomKilledRun(victim.pid(), exitValue, cgroup.id(), cgroup.cgroupPath(), limitBytes, output);
        }
    }
}
