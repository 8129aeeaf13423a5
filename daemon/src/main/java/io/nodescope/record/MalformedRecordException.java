package io.nodescope.record;

import java.io.IOException;

/**
 * A record's framing is broken. The message is a phrase that completes "record N ...", because
 * only the caller knows the file and the record's index.
 */
final class MalformedRecordException extends IOException {
    MalformedRecordException(String whatIsWrong) {
        super(whatIsWrong);
    }
}
