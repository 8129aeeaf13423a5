package io.nodescope.proc;

/**
 * A pod's quality-of-service class, which decides who the OOM killer picks first (kubelet sets
 * oom_score_adj by it): BestEffort before Burstable before Guaranteed.
 */
public enum PodQosClass {
    GUARANTEED("Guaranteed"), BURSTABLE("Burstable"), BEST_EFFORT("BestEffort");

    private final String kubernetesName;

    PodQosClass(String kubernetesName) {
        this.kubernetesName = kubernetesName;
    }

    /** As status.qosClass spells it. */
    public String kubernetesName() {
        return kubernetesName;
    }

    /** kubelet names the QoS cgroup level "besteffort" or "burstable"; Guaranteed pods have no level of their own. */
    static PodQosClass ofCgroupLevel(String level) {
        return switch (level) {
            case "besteffort" -> BEST_EFFORT;
            case "burstable" -> BURSTABLE;
            default -> throw new IllegalArgumentException("not a QoS cgroup level: " + level);
        };
    }
}
