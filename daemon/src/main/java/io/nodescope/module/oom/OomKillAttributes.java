package io.nodescope.module.oom;

import io.nodescope.event.MemcgStatItem;
import io.nodescope.span.StackAttributes;

import io.opentelemetry.api.common.AttributeKey;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.longArrayKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

/**
 * Attribute keys of the oom.kill span. OpenTelemetry semantic conventions where one exists
 * (process.*), the nodescope.* namespace for the rest. The README's attribute table lists them.
 */
public final class OomKillAttributes {
    private OomKillAttributes() {}

    // The victim, in semantic-convention terms.
    public static final AttributeKey<Long> PROCESS_PID = longKey("process.pid");
    public static final AttributeKey<Long> THREAD_ID = longKey("thread.id");
    public static final AttributeKey<String> PROCESS_EXECUTABLE_NAME = stringKey("process.executable.name");
    public static final AttributeKey<String> PROCESS_EXECUTABLE_PATH = stringKey("process.executable.path");
    public static final AttributeKey<Long> PROCESS_USER_ID = longKey("process.user.id");
    public static final AttributeKey<Long> PROCESS_EXIT_CODE = longKey("process.exit.code");
    public static final AttributeKey<String> PROCESS_EXIT_TIME = stringKey("process.exit.time");

    public static final AttributeKey<String> PROBE = stringKey("nodescope.probe");
    public static final AttributeKey<String> CONSTRAINT = stringKey("nodescope.oom.constraint");
    public static final AttributeKey<Boolean> VICTIM_EXIT_SEEN = booleanKey("nodescope.oom.victim.exit_seen");
    public static final AttributeKey<Long> VICTIM_EXIT_SIGNAL = longKey("nodescope.oom.victim.exit_signal");
    public static final AttributeKey<Long> VICTIM_OOM_SCORE_ADJ = longKey("nodescope.oom.victim.oom_score_adj");
    public static final AttributeKey<Long> VICTIM_TOTAL_VM = longKey("nodescope.oom.victim.total_vm_bytes");
    public static final AttributeKey<Long> VICTIM_RSS_ANON = longKey("nodescope.oom.victim.rss_anon_bytes");
    public static final AttributeKey<Long> VICTIM_RSS_FILE = longKey("nodescope.oom.victim.rss_file_bytes");
    public static final AttributeKey<Long> VICTIM_RSS_SHMEM = longKey("nodescope.oom.victim.rss_shmem_bytes");
    public static final AttributeKey<Long> VICTIM_PAGE_TABLES = longKey("nodescope.oom.victim.pgtables_bytes");

    /** The victim's own memory cgroup. */
    public static final MemcgKeys VICTIM_MEMCG = new MemcgKeys("nodescope.memcg");
    /** The memory cgroup whose limit was hit (the victim's own, or an ancestor such as the pod's). */
    public static final MemcgKeys CONSTRAINING_MEMCG = new MemcgKeys("nodescope.oom.memcg");

    /** memory.stat of the memcg the OOM killer ran for, when it decided (nodescope.oom.stat.*). */
    public static final MemcgStatKeys OOM_STAT = new MemcgStatKeys("nodescope.oom.stat");

    // What led to the kill (OomIncidentParts): the verdict, the component that grew most, the usage history.
    public static final AttributeKey<String> VERDICT = stringKey("nodescope.oom.verdict");
    public static final AttributeKey<String> FASTEST_GROWING = stringKey("nodescope.oom.fastest_growing");
    public static final AttributeKey<Long> FASTEST_GROWING_BYTES = longKey("nodescope.oom.fastest_growing_bytes");
    public static final AttributeKey<List<Long>> HISTORY_USAGE_BYTES = longArrayKey("nodescope.oom.history.usage_bytes");
    public static final AttributeKey<List<Long>> HISTORY_OFFSET_MS = longArrayKey("nodescope.oom.history.offset_ms");
    /** On the memcg.usage_crossed span events. */
    public static final AttributeKey<Long> THRESHOLD_PERCENT = longKey("nodescope.oom.threshold_percent");

    public static final AttributeKey<Long> TRIGGER_PID = longKey("nodescope.oom.trigger.pid");
    public static final AttributeKey<Long> TRIGGER_TID = longKey("nodescope.oom.trigger.tid");
    public static final AttributeKey<String> TRIGGER_COMM = stringKey("nodescope.oom.trigger.comm");
    public static final AttributeKey<String> TRIGGER_EXECUTABLE_PATH =
            stringKey("nodescope.oom.trigger.executable.path");
    public static final AttributeKey<Long> TRIGGER_MEMCG_ID = longKey("nodescope.oom.trigger.memcg.id");
    public static final AttributeKey<String> TRIGGER_CGROUP_PATH = stringKey("nodescope.oom.trigger.memcg.path");
    public static final StackAttributes TRIGGER_KERNEL = StackAttributes.named("nodescope.oom.trigger.kernel_stack");
    public static final StackAttributes TRIGGER_USER = StackAttributes.named("nodescope.oom.trigger.user_stack");
    public static final AttributeKey<List<String>> TRIGGER_KERNEL_STACK = TRIGGER_KERNEL.frames();
    public static final AttributeKey<List<String>> TRIGGER_USER_STACK = TRIGGER_USER.frames();
    public static final AttributeKey<List<String>> TRIGGER_USER_STACK_ADDRESSES = TRIGGER_USER.addresses();
    /** Semantic conventions' stack trace text: the trigger's kernel frames, then its user frames. */
    public static final AttributeKey<String> CODE_STACKTRACE = StackAttributes.CODE_STACKTRACE;

    /** The same counters under two prefixes. */
    public record MemcgKeys(AttributeKey<Long> id, AttributeKey<String> path, AttributeKey<Long> usageBytes,
                            AttributeKey<Long> limitBytes, AttributeKey<Long> failcnt,
                            AttributeKey<Long> oomEvents, AttributeKey<Long> oomKillEvents,
                            AttributeKey<Long> memswUsageBytes, AttributeKey<Long> memswLimitBytes) {
        MemcgKeys(String prefix) {
            this(longKey(prefix + ".id"), stringKey(prefix + ".path"), longKey(prefix + ".usage_bytes"),
                    longKey(prefix + ".limit_bytes"), longKey(prefix + ".failcnt"),
                    longKey(prefix + ".oom_events"), longKey(prefix + ".oom_kill_events"),
                    longKey(prefix + ".memsw_usage_bytes"), longKey(prefix + ".memsw_limit_bytes"));
        }
    }

    /** One key per {@link MemcgStatItem}, "_bytes" where it counts bytes, and the working set. */
    public record MemcgStatKeys(AttributeKey<Long> memcgId, Map<MemcgStatItem, AttributeKey<Long>> items,
                                AttributeKey<Long> workingSetBytes) {
        MemcgStatKeys(String prefix) {
            this(longKey(prefix + ".memcg.id"), itemKeys(prefix), longKey(prefix + ".working_set_bytes"));
        }

        private static Map<MemcgStatItem, AttributeKey<Long>> itemKeys(String prefix) {
            EnumMap<MemcgStatItem, AttributeKey<Long>> keys = new EnumMap<>(MemcgStatItem.class);
            for (MemcgStatItem item : MemcgStatItem.values()) {
                keys.put(item, longKey(prefix + "." + item.statName() + (item.isBytes() ? "_bytes" : "")));
            }
            return Collections.unmodifiableMap(keys);
        }
    }
}
