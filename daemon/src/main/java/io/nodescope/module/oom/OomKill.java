package io.nodescope.module.oom;

import io.nodescope.event.CgroupPath;
import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgState;
import io.nodescope.event.NodeEvent;
import io.nodescope.event.ProbeSource;
import io.nodescope.event.RawStack;
import io.nodescope.event.StackMappings;
import io.nodescope.event.TaskIdentity;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.symbol.UserStack;

import java.util.Objects;
import java.util.Optional;

/**
 * The OOM killer chose and SIGKILLed a victim (oom:mark_victim).
 *
 * @param victim              the task chosen to die
 * @param victimOomScoreAdj   its oom_score_adj (-1000..1000)
 * @param victimMemcg         the victim's memory cgroup; empty where the probe could not read it
 * @param constrainingMemcg   the memcg at its limit on the trigger's path; empty for a global OOM
 * @param trigger             the task whose allocation ran the OOM killer (current)
 * @param victimCgroupPath    the victim's memory cgroup path as kernfs named it; empty where the
 *                            probe could not read it
 * @param triggerUserFrameFiles where the trigger's user frames lay in files, read in the kernel;
 *                            {@link UserFrameFiles#NONE} where it was not
 * @param memcgStat           memory.stat of the memcg the OOM killer ran for (the constraining
 *                            memcg; the victim's for a global OOM) when the kernel decided; empty
 *                            where the probe could not read it
 * @param triggerUserState    the trigger's registers and stack copy, to unwind from call frame
 *                            information; empty where the kernel could not capture them
 * @param triggerStackMappings the executable file mappings that stack runs through, read in the
 *                            kernel; {@link StackMappings#NONE} where it was not
 */
public record OomKill(long bootTimeNanos, ProbeSource source, TaskIdentity victim, int victimOomScoreAdj,
                      VictimMemory victimMemory, Optional<MemcgState> victimMemcg, OomConstraint constraint,
                      Optional<MemcgState> constrainingMemcg, TaskIdentity trigger, RawStack triggerKernelStack,
                      RawStack triggerUserStack, Optional<CgroupPath> victimCgroupPath,
                      UserFrameFiles triggerUserFrameFiles, Optional<MemcgStat> memcgStat,
                      Optional<UserStack> triggerUserState, StackMappings triggerStackMappings) implements NodeEvent {
    public OomKill {
        Objects.requireNonNull(memcgStat, "memcgStat");
        Objects.requireNonNull(triggerUserState, "triggerUserState");
        Objects.requireNonNull(triggerStackMappings, "triggerStackMappings");
        Objects.requireNonNull(triggerUserFrameFiles, "triggerUserFrameFiles");
        Objects.requireNonNull(victimCgroupPath, "victimCgroupPath");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(victim, "victim");
        Objects.requireNonNull(victimMemory, "victimMemory");
        Objects.requireNonNull(victimMemcg, "victimMemcg");
        Objects.requireNonNull(constraint, "constraint");
        Objects.requireNonNull(constrainingMemcg, "constrainingMemcg");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(triggerKernelStack, "triggerKernelStack");
        Objects.requireNonNull(triggerUserStack, "triggerUserStack");
    }

    /**
     * Without the memcg's stat breakdown and the trigger's user state (recordings of builds before
     * them, tests that do not need them).
     */
    public OomKill(long bootTimeNanos, ProbeSource source, TaskIdentity victim, int victimOomScoreAdj,
                   VictimMemory victimMemory, Optional<MemcgState> victimMemcg, OomConstraint constraint,
                   Optional<MemcgState> constrainingMemcg, TaskIdentity trigger, RawStack triggerKernelStack,
                   RawStack triggerUserStack, Optional<CgroupPath> victimCgroupPath,
                   UserFrameFiles triggerUserFrameFiles) {
        this(bootTimeNanos, source, victim, victimOomScoreAdj, victimMemory, victimMemcg, constraint,
                constrainingMemcg, trigger, triggerKernelStack, triggerUserStack, victimCgroupPath,
                triggerUserFrameFiles, Optional.empty(), Optional.empty(), StackMappings.NONE);
    }

    /** Without file locations of the user frames (tests that do not need them). */
    public OomKill(long bootTimeNanos, ProbeSource source, TaskIdentity victim, int victimOomScoreAdj,
                   VictimMemory victimMemory, Optional<MemcgState> victimMemcg, OomConstraint constraint,
                   Optional<MemcgState> constrainingMemcg, TaskIdentity trigger, RawStack triggerKernelStack,
                   RawStack triggerUserStack, Optional<CgroupPath> victimCgroupPath) {
        this(bootTimeNanos, source, victim, victimOomScoreAdj, victimMemory, victimMemcg, constraint,
                constrainingMemcg, trigger, triggerKernelStack, triggerUserStack, victimCgroupPath,
                UserFrameFiles.NONE);
    }

    /** Without a kernel-read cgroup path (recordings and tests that do not need one). */
    public OomKill(long bootTimeNanos, ProbeSource source, TaskIdentity victim, int victimOomScoreAdj,
                   VictimMemory victimMemory, Optional<MemcgState> victimMemcg, OomConstraint constraint,
                   Optional<MemcgState> constrainingMemcg, TaskIdentity trigger, RawStack triggerKernelStack,
                   RawStack triggerUserStack) {
        this(bootTimeNanos, source, victim, victimOomScoreAdj, victimMemory, victimMemcg, constraint,
                constrainingMemcg, trigger, triggerKernelStack, triggerUserStack, Optional.empty(),
                UserFrameFiles.NONE);
    }
}
