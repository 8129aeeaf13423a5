package io.nodescope.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

@RequiresRoot("creates memory cgroups")
@RequiresMemoryCgroup("runs processes into a memory cgroup's limit")
class MemoryCgroupIT {
    private static final long LIMIT_BYTES = 32L << 20;
    /**
     * java.lang.Process reports a child killed by signal N as 128 + N, as shells do (JDK
     * ProcessHandleImpl_unix.c: 0x80 + WTERMSIG). That alone can't tell SIGKILL from exit(137),
     * but oom-alloc never exits 137 by itself (0, 1 or 2), so 137 here means SIGKILL.
     */
    private static final int KILLED_BY_SIGKILL = 128 + 9;
    /** Far above the limit, yet bounded: without a working limit the test fails at 256 MiB. */
    private static final String CAP_MIB = "256";

    @Test
    void memcgOomKillerKillsOomAllocWithSigkill() throws Exception {
        Path binary = OomAllocBinary.path();
        Path cgroupPath;
        try (MemoryCgroup cgroup = MemoryCgroup.create("nodescope-it", LIMIT_BYTES)) {
            cgroupPath = cgroup.path();
            assertEquals(0, cgroup.oomKillCount());

            Process victim = cgroup.start(List.of(binary.toString(), "-t", CAP_MIB));
            String output = new String(victim.getInputStream().readAllBytes(), UTF_8);
            int exitValue = victim.waitFor();

            assertEquals(KILLED_BY_SIGKILL, exitValue, output);
            // The shell exec'd: the Process we hold is oom-alloc itself, not a wrapper.
            assertTrue(output.contains("pid " + victim.pid() + ","), output);
            long oomKills = cgroup.oomKillCount();
            assertTrue(oomKills >= 1, "oom_kill " + oomKills + " in " + cgroupPath);
        }
        assertFalse(Files.exists(cgroupPath));
    }

    @Test
    void idIsTheInodeOfTheCgroupDirectory() throws Exception {
        try (MemoryCgroup cgroup = MemoryCgroup.create("nodescope-it", LIMIT_BYTES)) {
            // stat(1), not the Java attribute id() itself reads, so the check is independent.
            Process stat = new ProcessBuilder("stat", "--format=%i", cgroup.path().toString()).start();
            String inode = new String(stat.getInputStream().readAllBytes(), UTF_8).strip();

            assertEquals(0, stat.waitFor());
            assertEquals(Long.parseLong(inode), cgroup.id());
        }
    }

    @Test
    void closeKillsWhatItStartedAndRemovesTheCgroup() throws Exception {
        MemoryCgroup cgroup = MemoryCgroup.create("nodescope-it", LIMIT_BYTES);
        Path cgroupPath = cgroup.path();
        Process sleeper = cgroup.start(List.of(OomAllocBinary.path().toString(), "-p", "3600"));
        // Its first line is printed after the move into the cgroup and the exec.
        String firstLine = firstLine(sleeper);
        List<String> members = Files.readAllLines(cgroupPath.resolve("cgroup.procs"));

        cgroup.close();

        assertTrue(firstLine.contains("pid " + sleeper.pid() + ","), firstLine);
        assertEquals(List.of(Long.toString(sleeper.pid())), members);
        assertEquals(KILLED_BY_SIGKILL, sleeper.exitValue());
        assertFalse(Files.exists(cgroupPath));
        assertDoesNotThrow(cgroup::close, "closing an already removed cgroup");
    }

    private static String firstLine(Process process) throws IOException {
        // Not closed: closing would close the process's stdout pipe before close() runs.
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        return reader.readLine();
    }
}
