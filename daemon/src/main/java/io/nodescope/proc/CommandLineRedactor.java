package io.nodescope.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces what looks like a secret in a command line by "&lt;redacted&gt;" before it leaves the
 * node: the value of a flag whose name sounds secret (--password x, --db-token=x, -secret x),
 * the value of a KEY=VALUE argument whose key does (DB_PASSWORD=x, as env(1) and many launchers
 * take them), and the password of a URL (postgres://user:x@host). Errs towards redacting too
 * much: a flag like "--token-file /path" loses its path, which costs less than a leaked token.
 */
final class CommandLineRedactor {
    static final String REDACTED = "<redacted>";
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential"
                    + "|auth).*");
    private static final Pattern FLAG = Pattern.compile("--?([A-Za-z0-9][A-Za-z0-9._-]*)(=(.*))?", Pattern.DOTALL);
    private static final Pattern KEY_VALUE = Pattern.compile("([A-Za-z_][A-Za-z0-9_.-]*)=(.*)", Pattern.DOTALL);
    private static final Pattern URL_PASSWORD = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^/:@\\s]*:)[^/@\\s]+@");

    private CommandLineRedactor() {}

    static String redact(List<String> arguments) {
        List<String> redacted = new ArrayList<>(arguments.size());
        boolean nextIsSecret = false;
        for (String argument : arguments) {
            if (nextIsSecret) {
                redacted.add(REDACTED);
                nextIsSecret = false;
                continue;
            }
            Matcher flag = FLAG.matcher(argument);
            Matcher keyValue = KEY_VALUE.matcher(argument);
            if (flag.matches() && SECRET_NAME.matcher(flag.group(1)).matches()) {
                if (flag.group(2) == null) {
                    nextIsSecret = true;
                    redacted.add(argument);
                } else {
                    redacted.add(argument.substring(0, flag.start(3)) + REDACTED);
                }
            } else if (!flag.matches() && keyValue.matches() && SECRET_NAME.matcher(keyValue.group(1)).matches()) {
                redacted.add(keyValue.group(1) + "=" + REDACTED);
            } else {
                redacted.add(URL_PASSWORD.matcher(argument).replaceAll("$1" + Matcher.quoteReplacement(REDACTED) + "@"));
            }
        }
        return String.join(" ", redacted);
    }
}
