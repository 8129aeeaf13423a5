package io.nodescope.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own report of a memcg OOM kill, from the kernel log (dmesg: root here): the
 * "Memory cgroup stats for <path>:" block, one "name value" line each, as the kernel printed it
 * for the cgroup's last kill. The reference a test checks nodescope's figures against.
 */
public final class KernelOomReport {
    private static final Pattern LINE = Pattern.compile("^\\[\\s*[0-9.]+\\] (.*)$");
    private static final Pattern STAT = Pattern.compile("^([a-z_]+) (\\d+)$");

    private KernelOomReport() {}

    /** Empty when the kernel printed no report for it (its OOM report is rate limited node-wide). */
    public static Optional<Map<String, Long>> memcgStats(String cgroupPath) {
        String header = "Memory cgroup stats for " + cgroupPath + ":";
        List<String> messages = Commands.run(Path.of("/"), Map.of(), List.of("dmesg")).lines()
                .map(LINE::matcher).filter(Matcher::matches).map(line -> line.group(1)).toList();
        int start = messages.lastIndexOf(header);
        if (start < 0) {
            return Optional.empty();
        }
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String message : messages.subList(start + 1, messages.size())) {
            Matcher stat = STAT.matcher(message);
            if (!stat.matches()) {
                break;
            }
            stats.put(stat.group(1), Long.parseLong(stat.group(2)));
        }
        return Optional.of(stats);
    }
}
