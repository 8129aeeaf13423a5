package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A thread's user-space state at an event, enough to unwind its stack after the thread moved on or
 * died: the registers call frame information refers to (bpf/include/user_stack.h copies them from
 * the task's pt_regs) and a copy of the stack from rsp upwards.
 *
 * @param stack the bytes at [rsp, rsp + remaining) as they were at the event: only the valid part,
 *              a snapshot cut short by an unmapped page ends where the reading stopped
 */
public record UserStack(Registers registers, ByteBuffer stack) {
    /** The x86-64 registers at the event: the pc, the stack and frame pointers, the callee-saved ones. */
    public record Registers(long rip, long rsp, long rbp, long rbx, long r12, long r13, long r14, long r15) {}

    public UserStack {
        stack = stack.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
