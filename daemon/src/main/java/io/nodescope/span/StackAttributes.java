package io.nodescope.span;

import io.nodescope.event.RawStack;
import io.nodescope.symbol.Frame;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

/**
 * The attribute group of one stack, the same on every module's spans: the frames as text lines
 * (what a person reads), the raw addresses beside them (what a tool re-resolves), and the error
 * where the kernel could not walk it.
 *
 * @param prefix e.g. "nodescope.oom.trigger.user_stack": the keys are prefix, prefix.addresses,
 *               prefix_error
 */
public record StackAttributes(AttributeKey<List<String>> frames, AttributeKey<List<String>> addresses,
                              AttributeKey<Long> error) {
    /** The semantic conventions' one-string stack trace: every stack of the span, innermost first. */
    public static final AttributeKey<String> CODE_STACKTRACE = stringKey("code.stacktrace");

    public static StackAttributes named(String prefix) {
        return new StackAttributes(stringArrayKey(prefix), stringArrayKey(prefix + ".addresses"),
                longKey(prefix + "_error"));
    }

    public void put(AttributesBuilder attributes, RawStack stack, List<Frame> named) {
        if (stack.error() != 0) {
            attributes.put(error, stack.error());
        }
        if (!named.isEmpty()) {
            attributes.put(frames, named.stream().map(Frame::toStackLine).toList());
            attributes.put(addresses, stack.addresses().stream()
                    .map(address -> "0x" + Long.toHexString(address)).toList());
        }
    }

    /** Sets code.stacktrace to the stacks' frames, one line each, in the order given. */
    @SafeVarargs
    public static void putStackTrace(AttributesBuilder attributes, List<Frame>... stacks) {
        String stackTrace = Stream.of(stacks).flatMap(List::stream)
                .map(Frame::toStackLine).collect(Collectors.joining("\n"));
        if (!stackTrace.isEmpty()) {
            attributes.put(CODE_STACKTRACE, stackTrace);
        }
    }
}
