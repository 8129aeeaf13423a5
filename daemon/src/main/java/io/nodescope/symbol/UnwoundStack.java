package io.nodescope.symbol;

import java.util.List;

/**
 * A user stack as unwinding found it, innermost first.
 *
 * @param addresses       the pc at the event, then each caller's return address (what gdb's bt lists)
 * @param lookupAddresses the address to name each frame by: a return address minus one, which lies
 *                        in the call instruction, so a call that ends its function (to a noreturn
 *                        function) is named after its caller and not the function that follows; the
 *                        pc itself for the first frame, for a frame a signal interrupted and for
 *                        the signal trampoline (__restore_rt), which the handler returns into
 * @param end             why the unwinding stopped
 */
public record UnwoundStack(List<Long> addresses, List<Long> lookupAddresses, End end) {
    public UnwoundStack {
        addresses = List.copyOf(addresses);
        lookupAddresses = List.copyOf(lookupAddresses);
    }

    public enum End {
        /** The return address is undefined here: the thread's first frame (clone3, _start). Complete. */
        OUTERMOST,
        /** {@link StackUnwinder#MAX_FRAMES} frames: the rest, if any, is cut off. */
        FRAME_LIMIT,
        /** The next return address lies beyond the stack bytes the event copied. */
        STACK_SNAPSHOT_END,
        /** No rules for the pc and no usable frame pointer (code without CFI that keeps no frame). */
        NO_UNWIND_INFO,
        /** The rules need what the event did not capture (a caller-saved register) or cannot be evaluated. */
        UNUSABLE_RULE,
        /** The caller's frame would not lie above this one: damaged stack or rules, stopped rather than looped. */
        NOT_ADVANCING,
        /** The return address is in no executable mapping of the process: not code, so not a frame. */
        NOT_CODE,
    }
}
