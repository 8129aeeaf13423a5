package io.nodescope.event;

/** Which attachment produced an event: it decides which fields the kernel could fill. */
public enum ProbeSource {
    /** tp_btf: the victim's task_struct was at hand, its memcg was read. */
    TP_BTF,
    /** Classic tracepoint: only the fields the tracepoint formats; no victim memcg. */
    TRACEPOINT,
    /** A uprobe on an instruction of a user-space file. */
    UPROBE;

    public String attributeValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
