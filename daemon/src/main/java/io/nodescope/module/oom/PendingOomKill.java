package io.nodescope.module.oom;

import io.nodescope.symbol.CapturedStacks;
import java.util.Objects;

/** An OOM kill waiting for its victim's death: enriched, its stacks captured but not yet named. */
public record PendingOomKill(EnrichedOomKill enriched, CapturedStacks stacks) {
    public PendingOomKill {
        Objects.requireNonNull(enriched, "enriched");
        Objects.requireNonNull(stacks, "stacks");
    }
}
