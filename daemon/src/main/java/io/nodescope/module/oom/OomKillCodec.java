package io.nodescope.module.oom;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ByteString;
import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.symbol.UserStack;
import io.nodescope.proto.v1.Event;
import io.nodescope.record.EventCodec;
import io.nodescope.record.SharedProtos;

import java.util.Optional;

/** OOM kills in recordings: the {@code oom_kill} case of nodescope.v1.Event. */
final class OomKillCodec implements EventCodec<OomKill> {
    @Override
    public Class<OomKill> type() {
        return OomKill.class;
    }

    @Override
    public Event.KindCase kind() {
        return Event.KindCase.OOM_KILL;
    }

    @Override
    public void write(OomKill oomKill, Event.Builder event) {
        var builder = io.nodescope.proto.v1.OomKill.newBuilder()
                .setBootTimeNanos(oomKill.bootTimeNanos())
                .setSource(SharedProtos.toProto(oomKill.source()))
                .setVictim(SharedProtos.toProto(oomKill.victim()))
                .setVictimOomScoreAdj(oomKill.victimOomScoreAdj())
                .setVictimMemory(toProto(oomKill.victimMemory()))
                .setConstraint(toProto(oomKill.constraint()))
                .setTrigger(SharedProtos.toProto(oomKill.trigger()))
                .setTriggerKernelStack(SharedProtos.toProto(oomKill.triggerKernelStack()))
                .setTriggerUserStack(SharedProtos.toProto(oomKill.triggerUserStack()));
        oomKill.victimMemcg().map(SharedProtos::toProto).ifPresent(builder::setVictimMemcg);
        oomKill.constrainingMemcg().map(SharedProtos::toProto).ifPresent(builder::setConstrainingMemcg);
        oomKill.victimCgroupPath().map(SharedProtos::toProto).ifPresent(builder::setVictimCgroupPath);
        if (!oomKill.triggerUserFrameFiles().equals(UserFrameFiles.NONE)) {
            builder.setTriggerUserFrameFiles(SharedProtos.toProto(oomKill.triggerUserFrameFiles()));
        }
        oomKill.memcgStat().map(SharedProtos::toProto).ifPresent(builder::setMemcgStat);
        oomKill.triggerUserState().map(OomKillCodec::toProto).ifPresent(builder::setTriggerUserState);
        if (!oomKill.triggerStackMappings().equals(StackMappings.NONE)) {
            builder.setTriggerStackMappings(SharedProtos.toProto(oomKill.triggerStackMappings()));
        }
        event.setOomKill(builder);
    }

    @Override
    public OomKill read(Event event) throws InvalidProtocolBufferException {
        io.nodescope.proto.v1.OomKill proto = event.getOomKill();
        return new OomKill(proto.getBootTimeNanos(), SharedProtos.probeSource(proto.getSourceValue()),
                SharedProtos.fromProto(proto.getVictim()), proto.getVictimOomScoreAdj(),
                fromProto(proto.getVictimMemory()),
                proto.hasVictimMemcg() ? Optional.of(SharedProtos.fromProto(proto.getVictimMemcg())) : Optional.empty(),
                oomConstraint(proto.getConstraintValue()),
                proto.hasConstrainingMemcg() ? Optional.of(SharedProtos.fromProto(proto.getConstrainingMemcg()))
                        : Optional.empty(),
                SharedProtos.fromProto(proto.getTrigger()), SharedProtos.fromProto(proto.getTriggerKernelStack()),
                SharedProtos.fromProto(proto.getTriggerUserStack()),
                proto.hasVictimCgroupPath() ? Optional.of(SharedProtos.fromProto(proto.getVictimCgroupPath()))
                        : Optional.empty(),
                proto.hasTriggerUserFrameFiles() ? SharedProtos.fromProto(proto.getTriggerUserFrameFiles())
                        : UserFrameFiles.NONE,
                proto.hasMemcgStat() ? Optional.of(SharedProtos.fromProto(proto.getMemcgStat())) : Optional.empty(),
                proto.hasTriggerUserState() ? Optional.of(fromProto(proto.getTriggerUserState())) : Optional.empty(),
                proto.hasTriggerStackMappings() ? SharedProtos.fromProto(proto.getTriggerStackMappings())
                        : StackMappings.NONE);
    }

    private static io.nodescope.proto.v1.UserState toProto(UserStack state) {
        UserStack.Registers registers = state.registers();
        return io.nodescope.proto.v1.UserState.newBuilder()
                .setRip(registers.rip()).setRsp(registers.rsp()).setRbp(registers.rbp()).setRbx(registers.rbx())
                .setR12(registers.r12()).setR13(registers.r13()).setR14(registers.r14()).setR15(registers.r15())
                .setStack(ByteString.copyFrom(state.stack().duplicate()))
                .build();
    }

    private static UserStack fromProto(io.nodescope.proto.v1.UserState proto) {
        return new UserStack(new UserStack.Registers(proto.getRip(), proto.getRsp(), proto.getRbp(), proto.getRbx(),
                proto.getR12(), proto.getR13(), proto.getR14(), proto.getR15()), proto.getStack().asReadOnlyByteBuffer());
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

    private static io.nodescope.proto.v1.OomConstraint toProto(OomConstraint constraint) {
        return switch (constraint) {
            case MEMCG -> io.nodescope.proto.v1.OomConstraint.OOM_CONSTRAINT_MEMCG;
            case GLOBAL -> io.nodescope.proto.v1.OomConstraint.OOM_CONSTRAINT_GLOBAL;
        };
    }

    // Takes the wire number, not the generated enum: UNRECOGNIZED cannot tell which value it was.
    private static OomConstraint oomConstraint(int wireValue) throws InvalidProtocolBufferException {
        return switch (io.nodescope.proto.v1.OomConstraint.forNumber(wireValue)) {
            case OOM_CONSTRAINT_MEMCG -> OomConstraint.MEMCG;
            case OOM_CONSTRAINT_GLOBAL -> OomConstraint.GLOBAL;
            case null, default -> throw new InvalidProtocolBufferException("unknown OOM constraint " + wireValue);
        };
    }
}
