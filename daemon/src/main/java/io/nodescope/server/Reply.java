package io.nodescope.server;

import io.netty.handler.codec.http.HttpResponseStatus;

/** What an endpoint answers; framing (length, keep-alive, HEAD) is the request handler's job. */
record Reply(HttpResponseStatus status, String contentType, String body) {
    static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    /**
     * A plain-text body of exactly one line. Readiness reasons and exception messages come from
     * elsewhere and may span lines; probes and operators reading a status only look at the first.
     */
    static Reply line(HttpResponseStatus status, String text) {
        return new Reply(status, PLAIN_TEXT, text.replaceAll("[\\r\\n]+", " ") + "\n");
    }
}
