package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A thread's user-space state at an event, enough to unwind its stack after the thread moved on or
 * died: the registers call frame information refers to and a copy of the stack from rsp upwards.
 *
 * @param stack the bytes at [rsp, rsp + remaining) as they were at the event: only the valid part,
 *              a copy cut short by an unmapped page ends where the copying stopped
 */
public record UserStack(Registers registers, ByteBuffer stack) {
    /** sizeof(struct ns_user_regs) + valid_bytes + _pad: where the stack bytes start in the C struct. */
    public static final int BPF_STACK_OFFSET = 8 * 8 + 4 + 4;

    /** The x86-64 registers at the event: the pc, the stack and frame pointers, the callee-saved ones. */
    public record Registers(long rip, long rsp, long rbp, long rbx, long r12, long r13, long r14, long r15) {}

    public UserStack {
        stack = stack.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Decodes bpf/include/user_stack.h's struct ns_user_stack at {@code offset} of a ring record
     * (little-endian, as the kernel wrote it). The stack bytes are viewed, not copied: copy the
     * record first if the ring's memory will be reused before unwinding.
     *
     * @param maxStackBytes the record's NS_USER_STACK_BYTES: a valid_bytes above it is damage and is cut
     */
    public static UserStack decode(ByteBuffer record, int offset, int maxStackBytes) {
        ByteBuffer in = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Registers registers = new Registers(in.getLong(offset), in.getLong(offset + 8), in.getLong(offset + 16),
                in.getLong(offset + 24), in.getLong(offset + 32), in.getLong(offset + 40), in.getLong(offset + 48),
                in.getLong(offset + 56));
        int validBytes = (int) Math.min(Integer.toUnsignedLong(in.getInt(offset + 64)), maxStackBytes);
        return new UserStack(registers, in.slice(offset + BPF_STACK_OFFSET, validBytes));
    }
}
