package io.nodescope.symbol;

import java.util.List;

/**
 * What .gopclntab says about one pc: the physical function containing it (its name and entry) and
 * the source frames at that pc, innermost first. Without inlining, or without the inline tree,
 * {@code frames} holds one frame, the function itself; with inlining, the inlined callees come
 * first and the physical function, at its call site of the outermost inlined call, is last.
 */
record GoFunction(String name, long entry, List<GoFrame> frames) {
    GoFunction {
        frames = List.copyOf(frames);
    }

    /** The innermost source position, which is where the pc really is. */
    GoFrame innermost() {
        return frames.getFirst();
    }
}
