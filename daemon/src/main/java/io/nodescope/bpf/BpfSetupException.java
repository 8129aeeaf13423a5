package io.nodescope.bpf;

/**
 * BPF could not be set up for a reason the user can fix (privileges, kernel features, missing
 * libraries). The message is one line naming the cause and the fix; no stack trace is shown.
 */
public final class BpfSetupException extends Exception {
    public BpfSetupException(String message) {
        super(message);
    }

    public BpfSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
