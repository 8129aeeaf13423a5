package io.nodescope.record;

import com.google.protobuf.InvalidProtocolBufferException;
import io.nodescope.event.MemcgState;
import io.nodescope.event.NodeEvent;
import io.nodescope.event.OomConstraint;
import io.nodescope.event.CgroupPath;
import io.nodescope.event.KernelFile;
import io.nodescope.event.OomKill;
import io.nodescope.event.ProbeSource;
import io.nodescope.event.ProcessExit;
import io.nodescope.event.RawStack;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.event.TaskIdentity;
import io.nodescope.event.VictimMemory;
import io.nodescope.proto.v1.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Converts the event records to their nodescope.v1 messages and back, field for field. The proto
 * types share the records' simple names, so they are spelled with their package here.
 */
final class EventProtos {
    private EventProtos() {}

    static Event toProto(NodeEvent event) {
        Event.Builder builder = Event.newBuilder();
        // No default branch on purpose: a new NodeEvent type must not compile until it has a message.
        switch (event) {
            case OomKill oomKill -> builder.setOomKill(toProto(oomKill));
            case ProcessExit exit -> builder.setProcessExit(toProto(exit));
        }
        return builder.build();
    }

    /**
     * The event an {@link Event} carries; empty when its kind is one this version does not know (a
     * newer writer's event type arrives as an unknown field and leaves the oneof unset).
     *
     * @throws InvalidProtocolBufferException when an enum holds a value no writer of this format
     *                                        produces, so the record cannot be trusted
     */
    static Optional<NodeEvent> fromProto(Event event) throws InvalidProtocolBufferException {
        return switch (event.getKindCase()) {
            case OOM_KILL -> Optional.of(fromProto(event.getOomKill()));
            case PROCESS_EXIT -> Optional.of(fromProto(event.getProcessExit()));
            case KIND_NOT_SET -> Optional.empty();
        };
    }

    private static io.nodescope.proto.v1.OomKill toProto(OomKill oomKill) {
        var builder = io.nodescope.proto.v1.OomKill.newBuilder()
                .setBootTimeNanos(oomKill.bootTimeNanos())
                .setSource(toProto(oomKill.source()))
                .setVictim(toProto(oomKill.victim()))
                .setVictimOomScoreAdj(oomKill.victimOomScoreAdj())
                .setVictimMemory(toProto(oomKill.victimMemory()))
                .setConstraint(toProto(oomKill.constraint()))
                .setTrigger(toProto(oomKill.trigger()))
                .setTriggerKernelStack(toProto(oomKill.triggerKernelStack()))
                .setTriggerUserStack(toProto(oomKill.triggerUserStack()));
        oomKill.victimMemcg().map(EventProtos::toProto).ifPresent(builder::setVictimMemcg);
        oomKill.constrainingMemcg().map(EventProtos::toProto).ifPresent(builder::setConstrainingMemcg);
        oomKill.victimCgroupPath().map(EventProtos::toProto).ifPresent(builder::setVictimCgroupPath);
        if (!oomKill.triggerUserFrameFiles().equals(UserFrameFiles.NONE)) {
            builder.setTriggerUserFrameFiles(toProto(oomKill.triggerUserFrameFiles()));
        }
        return builder.build();
    }

    /** Each file once, frames referring to it by index, as the kernel side records them. */
    private static io.nodescope.proto.v1.UserFrameFiles toProto(UserFrameFiles frameFiles) {
        var builder = io.nodescope.proto.v1.UserFrameFiles.newBuilder().setLookupError(frameFiles.lookupError());
        List<KernelFile> files = new ArrayList<>();
        for (Optional<UserFrameFiles.FileLocation> frame : frameFiles.frames()) {
            var location = io.nodescope.proto.v1.FrameLocation.newBuilder();
            frame.ifPresent(located -> {
                int index = files.indexOf(located.file());
                if (index < 0) {
                    index = files.size();
                    files.add(located.file());
                }
                location.setFile(index).setOffset(located.offset());
            });
            builder.addFrames(location);
        }
        files.forEach(file -> builder.addFiles(io.nodescope.proto.v1.KernelFile.newBuilder()
                .setDeviceMajor(file.deviceMajor())
                .setDeviceMinor(file.deviceMinor())
                .setInode(file.inode())
                .addAllNamesFromRoot(file.namesFromRoot())
                .setTruncated(file.truncated())));
        return builder.build();
    }

    private static UserFrameFiles fromProto(io.nodescope.proto.v1.UserFrameFiles proto)
            throws InvalidProtocolBufferException {
        List<KernelFile> files = proto.getFilesList().stream().map(file -> new KernelFile(file.getDeviceMajor(),
                file.getDeviceMinor(), file.getInode(), file.getNamesFromRootList(), file.getTruncated())).toList();
        List<Optional<UserFrameFiles.FileLocation>> frames = new ArrayList<>(proto.getFramesCount());
        for (io.nodescope.proto.v1.FrameLocation frame : proto.getFramesList()) {
            if (!frame.hasFile()) {
                frames.add(Optional.empty());
            } else if (frame.getFile() >= files.size()) {
                throw new InvalidProtocolBufferException("frame in file " + frame.getFile() + " of " + files.size());
            } else {
                frames.add(Optional.of(new UserFrameFiles.FileLocation(files.get(frame.getFile()), frame.getOffset())));
            }
        }
        return new UserFrameFiles(frames, proto.getLookupError());
    }

    private static io.nodescope.proto.v1.CgroupPath toProto(CgroupPath path) {
        return io.nodescope.proto.v1.CgroupPath.newBuilder()
                .addAllNamesInnermostFirst(path.namesInnermostFirst())
                .addAllIdsInnermostFirst(path.idsInnermostFirst())
                .setTruncated(path.truncated())
                .build();
    }

    private static CgroupPath fromProto(io.nodescope.proto.v1.CgroupPath proto) throws InvalidProtocolBufferException {
        if (proto.getNamesInnermostFirstCount() != proto.getIdsInnermostFirstCount()) {
            throw new InvalidProtocolBufferException("cgroup path with " + proto.getNamesInnermostFirstCount()
                    + " names but " + proto.getIdsInnermostFirstCount() + " ids");
        }
        return new CgroupPath(proto.getNamesInnermostFirstList(), proto.getIdsInnermostFirstList(),
                proto.getTruncated());
    }

    private static OomKill fromProto(io.nodescope.proto.v1.OomKill proto) throws InvalidProtocolBufferException {
        return new OomKill(proto.getBootTimeNanos(), probeSource(proto.getSourceValue()),
                fromProto(proto.getVictim()), proto.getVictimOomScoreAdj(), fromProto(proto.getVictimMemory()),
                proto.hasVictimMemcg() ? Optional.of(fromProto(proto.getVictimMemcg())) : Optional.empty(),
                oomConstraint(proto.getConstraintValue()),
                proto.hasConstrainingMemcg() ? Optional.of(fromProto(proto.getConstrainingMemcg())) : Optional.empty(),
                fromProto(proto.getTrigger()), fromProto(proto.getTriggerKernelStack()),
                fromProto(proto.getTriggerUserStack()),
                proto.hasVictimCgroupPath() ? Optional.of(fromProto(proto.getVictimCgroupPath())) : Optional.empty(),
                proto.hasTriggerUserFrameFiles() ? fromProto(proto.getTriggerUserFrameFiles()) : UserFrameFiles.NONE);
    }

    private static io.nodescope.proto.v1.ProcessExit toProto(ProcessExit exit) {
        return io.nodescope.proto.v1.ProcessExit.newBuilder()
                .setBootTimeNanos(exit.bootTimeNanos())
                .setTask(toProto(exit.task()))
                .setWaitStatus(exit.waitStatus())
                .setOomVictim(exit.oomVictim())
                .build();
    }

    private static ProcessExit fromProto(io.nodescope.proto.v1.ProcessExit proto) {
        return new ProcessExit(proto.getBootTimeNanos(), fromProto(proto.getTask()), proto.getWaitStatus(),
                proto.getOomVictim());
    }

    private static io.nodescope.proto.v1.TaskIdentity toProto(TaskIdentity task) {
        return io.nodescope.proto.v1.TaskIdentity.newBuilder()
                .setTgid(task.tgid())
                .setTid(task.tid())
                .setUid(task.uid())
                .setMemcgId(task.memcgId())
                .setComm(task.comm())
                .build();
    }

    private static TaskIdentity fromProto(io.nodescope.proto.v1.TaskIdentity proto) {
        return new TaskIdentity(proto.getTgid(), proto.getTid(), proto.getUid(), proto.getMemcgId(), proto.getComm());
    }

    private static io.nodescope.proto.v1.MemcgState toProto(MemcgState memcg) {
        var builder = io.nodescope.proto.v1.MemcgState.newBuilder()
                .setId(memcg.id())
                .setUsageBytes(memcg.usageBytes())
                .setFailcnt(memcg.failcnt())
                .setOomEvents(memcg.oomEvents())
                .setOomKillEvents(memcg.oomKillEvents())
                .setMemswUsageBytes(memcg.memswUsageBytes());
        // The wire format says "no limit" by leaving the field unset, not with the -1 sentinel.
        if (memcg.limitBytes() != MemcgState.UNLIMITED) {
            builder.setLimitBytes(memcg.limitBytes());
        }
        if (memcg.memswLimitBytes() != MemcgState.UNLIMITED) {
            builder.setMemswLimitBytes(memcg.memswLimitBytes());
        }
        return builder.build();
    }

    private static MemcgState fromProto(io.nodescope.proto.v1.MemcgState proto) {
        return new MemcgState(proto.getId(), proto.getUsageBytes(),
                proto.hasLimitBytes() ? proto.getLimitBytes() : MemcgState.UNLIMITED,
                proto.getFailcnt(), proto.getOomEvents(), proto.getOomKillEvents(), proto.getMemswUsageBytes(),
                proto.hasMemswLimitBytes() ? proto.getMemswLimitBytes() : MemcgState.UNLIMITED);
    }

    private static io.nodescope.proto.v1.VictimMemory toProto(VictimMemory memory) {
        return io.nodescope.proto.v1.VictimMemory.newBuilder()
                .setTotalVmBytes(memory.totalVmBytes())
                .setRssAnonBytes(memory.rssAnonBytes())
                .setRssFileBytes(memory.rssFileBytes())
                .setRssShmemBytes(memory.rssShmemBytes())
                .setPageTablesBytes(memory.pageTablesBytes())
                .build();
    }

    private static VictimMemory fromProto(io.nodescope.proto.v1.VictimMemory proto) {
        return new VictimMemory(proto.getTotalVmBytes(), proto.getRssAnonBytes(), proto.getRssFileBytes(),
                proto.getRssShmemBytes(), proto.getPageTablesBytes());
    }

    private static io.nodescope.proto.v1.RawStack toProto(RawStack stack) {
        return io.nodescope.proto.v1.RawStack.newBuilder()
                .addAllAddresses(stack.addresses())
                .setError(stack.error())
                .build();
    }

    private static RawStack fromProto(io.nodescope.proto.v1.RawStack proto) {
        return new RawStack(proto.getAddressesList(), proto.getError());
    }

    private static io.nodescope.proto.v1.ProbeSource toProto(ProbeSource source) {
        return switch (source) {
            case TP_BTF -> io.nodescope.proto.v1.ProbeSource.PROBE_SOURCE_TP_BTF;
            case TRACEPOINT -> io.nodescope.proto.v1.ProbeSource.PROBE_SOURCE_TRACEPOINT;
        };
    }

    // Takes the wire number, not the generated enum: UNRECOGNIZED cannot tell which value it was.
    private static ProbeSource probeSource(int wireValue) throws InvalidProtocolBufferException {
        return switch (io.nodescope.proto.v1.ProbeSource.forNumber(wireValue)) {
            case PROBE_SOURCE_TP_BTF -> ProbeSource.TP_BTF;
            case PROBE_SOURCE_TRACEPOINT -> ProbeSource.TRACEPOINT;
            case null, default -> throw new InvalidProtocolBufferException("unknown probe source " + wireValue);
        };
    }

    private static io.nodescope.proto.v1.OomConstraint toProto(OomConstraint constraint) {
        return switch (constraint) {
            case MEMCG -> io.nodescope.proto.v1.OomConstraint.OOM_CONSTRAINT_MEMCG;
            case GLOBAL -> io.nodescope.proto.v1.OomConstraint.OOM_CONSTRAINT_GLOBAL;
        };
    }

    private static OomConstraint oomConstraint(int wireValue) throws InvalidProtocolBufferException {
        return switch (io.nodescope.proto.v1.OomConstraint.forNumber(wireValue)) {
            case OOM_CONSTRAINT_MEMCG -> OomConstraint.MEMCG;
            case OOM_CONSTRAINT_GLOBAL -> OomConstraint.GLOBAL;
            case null, default -> throw new InvalidProtocolBufferException("unknown OOM constraint " + wireValue);
        };
    }
}
