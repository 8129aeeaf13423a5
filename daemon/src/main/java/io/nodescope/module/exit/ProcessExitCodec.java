package io.nodescope.module.exit;

import io.nodescope.proto.v1.Event;
import io.nodescope.record.EventCodec;
import io.nodescope.record.SharedProtos;

/** Process exits in recordings: the {@code process_exit} case of nodescope.v1.Event. */
final class ProcessExitCodec implements EventCodec<ProcessExit> {
    @Override
    public Class<ProcessExit> type() {
        return ProcessExit.class;
    }

    @Override
    public Event.KindCase kind() {
        return Event.KindCase.PROCESS_EXIT;
    }

    @Override
    public void write(ProcessExit exit, Event.Builder event) {
        event.setProcessExit(io.nodescope.proto.v1.ProcessExit.newBuilder()
                .setBootTimeNanos(exit.bootTimeNanos())
                .setTask(SharedProtos.toProto(exit.task()))
                .setWaitStatus(exit.waitStatus())
                .setOomVictim(exit.oomVictim()));
    }

    @Override
    public ProcessExit read(Event event) {
        io.nodescope.proto.v1.ProcessExit proto = event.getProcessExit();
        return new ProcessExit(proto.getBootTimeNanos(), SharedProtos.fromProto(proto.getTask()),
                proto.getWaitStatus(), proto.getOomVictim());
    }
}
