package io.nodescope.symbol;

/** One source-level Go frame: a physical function or a call inlined into it. */
record GoFrame(String function, String file, int line) {}
