package io.nodescope.symbol;

import io.nodescope.event.RawStack;
import java.util.List;
import java.util.Optional;

/** A task's kernel and user stacks as frames, innermost first. */
public record NamedStacks(List<Frame> kernel, List<Frame> user) {
    public NamedStacks {
        kernel = List.copyOf(kernel);
        user = List.copyOf(user);
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
