package io.nodescope.event;

import java.util.List;

/**
 * Instruction addresses from bpf_get_stack, innermost first, not yet symbolized.
 *
 * @param addresses the frames the kernel walked; empty when the walk failed
 * @param error     0, or the positive errno bpf_get_stack returned (EFAULT: no user stack)
 */
public record RawStack(List<Long> addresses, int error) {
    public static final RawStack EMPTY = new RawStack(List.of(), 0);

    public RawStack {
        addresses = List.copyOf(addresses);
    }
}
