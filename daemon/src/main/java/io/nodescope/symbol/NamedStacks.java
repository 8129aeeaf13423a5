package io.nodescope.symbol;

import io.nodescope.event.RawStack;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A task's kernel and user stacks as frames, innermost first.
 *
 * @param unwoundUser the user stack's addresses as unwinding from call frame information found
 *                    them, when user names those and not the event's frame-pointer stack
 */
public record NamedStacks(List<Frame> kernel, List<Frame> user, Optional<RawStack> unwoundUser) {
    public NamedStacks {
        kernel = List.copyOf(kernel);
        user = List.copyOf(user);
        Objects.requireNonNull(unwoundUser, "unwoundUser");
    }

    /** Stacks as the event's probe took them. */
    public NamedStacks(List<Frame> kernel, List<Frame> user) {
        this(kernel, user, Optional.empty());
    }

    /** Bare addresses, for when nothing can name them (a replay on another machine). */
    public static NamedStacks unresolved(RawStack kernel, RawStack user) {
        return new NamedStacks(bare(kernel), bare(user));
    }

    private static List<Frame> bare(RawStack stack) {
        return stack.addresses().stream()
                .map(address -> Frame.unresolved(address, Optional.empty(), address)).toList();
    }
}
