package io.nodescope.record;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import io.nodescope.event.CgroupPath;
import io.nodescope.event.KernelFile;
import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgStatItem;
import io.nodescope.event.MemcgState;
import io.nodescope.event.StackMappings;
import io.nodescope.event.ProbeSource;
import io.nodescope.event.RawStack;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.event.TaskIdentity;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;

/**
 * Converts the parts every module's events share to their nodescope.v1 messages and back, field
 * for field; each module's {@link EventCodec} converts its own events with these. The proto types
 * share the records' simple names, so they are spelled with their package here.
 */
public final class SharedProtos {
    private SharedProtos() {}

    /** Each file once, frames referring to it by index, as the kernel side records them. */
    public static io.nodescope.proto.v1.UserFrameFiles toProto(UserFrameFiles frameFiles) {
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
        files.forEach(file -> builder.addFiles(toProto(file)));
        return builder.build();
    }

    private static io.nodescope.proto.v1.KernelFile toProto(KernelFile file) {
        return io.nodescope.proto.v1.KernelFile.newBuilder()
                .setDeviceMajor(file.deviceMajor())
                .setDeviceMinor(file.deviceMinor())
                .setInode(file.inode())
                .addAllNamesFromRoot(file.namesFromRoot())
                .setTruncated(file.truncated())
                .build();
    }

    private static KernelFile fromProto(io.nodescope.proto.v1.KernelFile file) {
        return new KernelFile(file.getDeviceMajor(), file.getDeviceMinor(), file.getInode(),
                file.getNamesFromRootList(), file.getTruncated());
    }

    /** Each file once, mappings referring to it by index, as the kernel side records them. */
    public static io.nodescope.proto.v1.StackMappings toProto(StackMappings stackMappings) {
        var builder = io.nodescope.proto.v1.StackMappings.newBuilder()
                .setLookups(stackMappings.lookups())
                .setSkipped(stackMappings.skipped())
                .setLookupError(stackMappings.lookupError());
        List<KernelFile> files = stackMappings.mappings().stream().map(StackMappings.Mapping::file).distinct()
                .toList();
        files.forEach(file -> builder.addFiles(toProto(file)));
        stackMappings.mappings().forEach(mapping -> builder.addMappings(io.nodescope.proto.v1.StackMapping.newBuilder()
                .setStart(mapping.start())
                .setEnd(mapping.end())
                .setFileOffset(mapping.fileOffset())
                .setFile(files.indexOf(mapping.file()))));
        return builder.build();
    }

    public static StackMappings fromProto(io.nodescope.proto.v1.StackMappings proto)
            throws InvalidProtocolBufferException {
        List<KernelFile> files = proto.getFilesList().stream().map(SharedProtos::fromProto).toList();
        List<StackMappings.Mapping> mappings = new ArrayList<>(proto.getMappingsCount());
        for (io.nodescope.proto.v1.StackMapping mapping : proto.getMappingsList()) {
            if (mapping.getFile() >= files.size()) {
                throw new InvalidProtocolBufferException("mapping of file " + mapping.getFile() + " of " + files.size());
            }
            mappings.add(new StackMappings.Mapping(mapping.getStart(), mapping.getEnd(), mapping.getFileOffset(),
                    files.get(mapping.getFile())));
        }
        return new StackMappings(mappings, proto.getLookups(), proto.getSkipped(), proto.getLookupError());
    }

    public static UserFrameFiles fromProto(io.nodescope.proto.v1.UserFrameFiles proto)
            throws InvalidProtocolBufferException {
        List<KernelFile> files = proto.getFilesList().stream().map(SharedProtos::fromProto).toList();
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

    public static io.nodescope.proto.v1.CgroupPath toProto(CgroupPath path) {
        return io.nodescope.proto.v1.CgroupPath.newBuilder()
                .addAllNamesInnermostFirst(path.namesInnermostFirst())
                .addAllIdsInnermostFirst(path.idsInnermostFirst())
                .setTruncated(path.truncated())
                .build();
    }

    public static CgroupPath fromProto(io.nodescope.proto.v1.CgroupPath proto) throws InvalidProtocolBufferException {
        if (proto.getNamesInnermostFirstCount() != proto.getIdsInnermostFirstCount()) {
            throw new InvalidProtocolBufferException("cgroup path with " + proto.getNamesInnermostFirstCount()
                    + " names but " + proto.getIdsInnermostFirstCount() + " ids");
        }
        return new CgroupPath(proto.getNamesInnermostFirstList(), proto.getIdsInnermostFirstList(),
                proto.getTruncated());
    }

    public static io.nodescope.proto.v1.TaskIdentity toProto(TaskIdentity task) {
        return io.nodescope.proto.v1.TaskIdentity.newBuilder()
                .setTgid(task.tgid())
                .setTid(task.tid())
                .setUid(task.uid())
                .setMemcgId(task.memcgId())
                .setComm(task.comm())
                .build();
    }

    public static TaskIdentity fromProto(io.nodescope.proto.v1.TaskIdentity proto) {
        return new TaskIdentity(proto.getTgid(), proto.getTid(), proto.getUid(), proto.getMemcgId(), proto.getComm());
    }

    public static io.nodescope.proto.v1.MemcgState toProto(MemcgState memcg) {
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

    // By field name: MemcgStatItem's names are the message's, and a test round-trips every item.
    public static io.nodescope.proto.v1.MemcgStat toProto(MemcgStat stat) {
        var builder = io.nodescope.proto.v1.MemcgStat.newBuilder().setMemcgId(stat.memcgId());
        stat.values().forEach((item, value) -> builder.setField(memcgStatField(item), value));
        return builder.build();
    }

    public static MemcgStat fromProto(io.nodescope.proto.v1.MemcgStat proto) {
        EnumMap<MemcgStatItem, Long> values = new EnumMap<>(MemcgStatItem.class);
        for (MemcgStatItem item : MemcgStatItem.values()) {
            values.put(item, (Long) proto.getField(memcgStatField(item)));
        }
        return new MemcgStat(proto.getMemcgId(), values);
    }

    private static Descriptors.FieldDescriptor memcgStatField(MemcgStatItem item) {
        return io.nodescope.proto.v1.MemcgStat.getDescriptor().findFieldByName(item.statName());
    }

    public static MemcgState fromProto(io.nodescope.proto.v1.MemcgState proto) {
        return new MemcgState(proto.getId(), proto.getUsageBytes(),
                proto.hasLimitBytes() ? proto.getLimitBytes() : MemcgState.UNLIMITED,
                proto.getFailcnt(), proto.getOomEvents(), proto.getOomKillEvents(), proto.getMemswUsageBytes(),
                proto.hasMemswLimitBytes() ? proto.getMemswLimitBytes() : MemcgState.UNLIMITED);
    }

    public static io.nodescope.proto.v1.RawStack toProto(RawStack stack) {
        return io.nodescope.proto.v1.RawStack.newBuilder()
                .addAllAddresses(stack.addresses())
                .setError(stack.error())
                .build();
    }

    public static RawStack fromProto(io.nodescope.proto.v1.RawStack proto) {
        return new RawStack(proto.getAddressesList(), proto.getError());
    }

    public static io.nodescope.proto.v1.ProbeSource toProto(ProbeSource source) {
        return switch (source) {
            case TP_BTF -> io.nodescope.proto.v1.ProbeSource.PROBE_SOURCE_TP_BTF;
            case TRACEPOINT -> io.nodescope.proto.v1.ProbeSource.PROBE_SOURCE_TRACEPOINT;
            case UPROBE -> io.nodescope.proto.v1.ProbeSource.PROBE_SOURCE_UPROBE;
        };
    }

    // Takes the wire number, not the generated enum: UNRECOGNIZED cannot tell which value it was.
    public static ProbeSource probeSource(int wireValue) throws InvalidProtocolBufferException {
        return switch (io.nodescope.proto.v1.ProbeSource.forNumber(wireValue)) {
            case PROBE_SOURCE_TP_BTF -> ProbeSource.TP_BTF;
            case PROBE_SOURCE_TRACEPOINT -> ProbeSource.TRACEPOINT;
            case PROBE_SOURCE_UPROBE -> ProbeSource.UPROBE;
            case null, default -> throw new InvalidProtocolBufferException("unknown probe source " + wireValue);
        };
    }

}
