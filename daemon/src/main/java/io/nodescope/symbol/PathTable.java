package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Source paths numbered once for a whole .debug_line: every unit repeats the same headers, and
 * a row stores a path's number instead of the string.
 */
final class PathTable {
    private final List<String> paths = new ArrayList<>();
    private final Map<String, Integer> numbers = new HashMap<>();

    int indexOf(String path) {
        return numbers.computeIfAbsent(path, added -> {
            paths.add(added);
            return paths.size() - 1;
        });
    }

    List<String> paths() {
        return List.copyOf(paths);
    }
}
