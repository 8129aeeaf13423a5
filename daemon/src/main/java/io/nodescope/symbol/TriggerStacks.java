package io.nodescope.symbol;

import io.nodescope.event.OomKill;
import io.nodescope.event.RawStack;
import java.util.List;
import java.util.Optional;

/** The triggering task's kernel and user stacks as frames, innermost first. */
public record TriggerStacks(List<Frame> kernel, List<Frame> user) {
    public TriggerStacks {
        kernel = List.copyOf(kernel);
        user = List.copyOf(user);
    }

    /** Bare addresses, for when nothing can name them (a replay on another machine). */
    public static TriggerStacks unresolved(OomKill kill) {
        return new TriggerStacks(bare(kill.triggerKernelStack()), bare(kill.triggerUserStack()));
    }

    private static List<Frame> bare(RawStack stack) {
        return stack.addresses().stream()
                .map(address -> Frame.unresolved(address, Optional.empty(), address)).toList();
    }
}
