package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** struct ns_user_stack (bpf/include/user_stack.h) as the kernel lays it out, decoded. */
class UserStackTest {
    private static ByteBuffer record(int offset, int validBytes, int stackBytes) {
        ByteBuffer record = ByteBuffer.allocate(offset + UserStack.BPF_STACK_OFFSET + stackBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int register = 0; register < 8; register++) {
            record.putLong(offset + 8 * register, 0x1000L + register); // rip, rsp, rbp, rbx, r12-r15
        }
        record.putInt(offset + 64, validBytes);
        for (int i = 0; i < stackBytes; i++) {
            record.put(offset + UserStack.BPF_STACK_OFFSET + i, (byte) i);
        }
        return record;
    }

    @Test
    void registersAndTheValidStackBytesAreDecoded() {
        UserStack stack = UserStack.decode(record(8, 100, 8192), 8, 8192);
        assertEquals(new UserStack.Registers(0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x1006, 0x1007),
                stack.registers());
        assertEquals(100, stack.stack().remaining());
        assertEquals(5, stack.stack().get(5));
        assertEquals(0x0f0e0d0c0b0a0908L, stack.stack().getLong(8), "little-endian, as the kernel wrote it");
    }

    @Test
    void aValidLengthOverTheBufferIsCutToIt() {
        assertEquals(8192, UserStack.decode(record(0, -1, 8192), 0, 8192).stack().remaining());
    }
}
