# Medians per consumer and wake-up mode from RESULT lines (run 0 is the warm-up, left out),
# and the Java/C ratio of consumer CPU per event.
function median(key, field,    count, i, j, v, sorted) {
    count = runs[key]
    for (i = 1; i <= count; i++) sorted[i] = value[key, field, i]
    for (i = 2; i <= count; i++) {
        v = sorted[i]
        for (j = i - 1; j >= 1 && sorted[j] > v; j--) sorted[j + 1] = sorted[j]
        sorted[j + 1] = v
    }
    return count % 2 ? sorted[(count + 1) / 2] : (sorted[count / 2] + sorted[count / 2 + 1]) / 2
}

/^RESULT/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    if (f["run"] == 0) next
    key = f["consumer"] SUBSEP f["wakeup_min_bytes"]
    if (!(key in runs)) order[++groups] = key
    n = ++runs[key]
    value[key, "thread", n] = f["thread_ns_per_event"]
    value[key, "process", n] = f["process_ns_per_event"]
    value[key, "rate", n] = f["events_per_s"]
    value[key, "batch", n] = f["events_per_poll"]
    drops[key] += f["drops"]
    bad[key] += f["out_of_order"] + (f["events"] + f["drops"] != f["produced"])
}

END {
    printf "%-12s %9s %5s %14s %15s %12s %12s %7s %6s\n", "consumer", "wakeup_B", "runs", "thread_ns/ev",
           "process_ns/ev", "events/s", "ev/poll", "drops", "check"
    for (g = 1; g <= groups; g++) {
        key = order[g]; split(key, part, SUBSEP)
        thread[key] = median(key, "thread")
        printf "%-12s %9s %5d %14.1f %15.1f %12.0f %12.1f %7d %6s\n", part[1], part[2], runs[key], thread[key],
               median(key, "process"), median(key, "rate"), median(key, "batch"), drops[key], bad[key] ? "FAIL" : "ok"
    }
    for (g = 1; g <= groups; g++) {
        split(order[g], part, SUBSEP)
        java = "java-mapped" SUBSEP part[2]
        if (part[1] ~ /^c-/ && (java in thread))
            printf "java/%s consumer CPU per event, wakeup_min_bytes=%s: %.2fx\n", part[1], part[2],
                   thread[java] / thread[order[g]]
    }
}
