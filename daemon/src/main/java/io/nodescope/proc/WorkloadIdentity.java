package io.nodescope.proc;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

import java.util.Objects;
import java.util.Optional;

/**
 * Who a process or cgroup belongs to, as far as it could be learned: from the cgroup path
 * (container id, runtime, pod uid, QoS class), the Kubernetes API (pod, namespace, container,
 * service name) and /proc (executable, command line when enabled). Equal identities are the same
 * workload, so it can key a cache of Resources.
 *
 * @param commandLine only when configured, with secrets redacted (see {@link CommandLineRedactor})
 */
public record WorkloadIdentity(Optional<String> containerId, Optional<String> containerRuntime,
                               Optional<String> podUid, Optional<String> podName, Optional<String> namespaceName,
                               Optional<String> containerName, Optional<PodQosClass> qosClass,
                               Optional<String> nodeName, Optional<String> serviceName,
                               Optional<String> cgroupPath, Optional<String> executableName,
                               Optional<String> executablePath, Optional<String> commandLine) {
    public static final AttributeKey<String> CONTAINER_ID = AttributeKey.stringKey("container.id");
    /** container.runtime.name, which replaced the deprecated container.runtime in the conventions. */
    public static final AttributeKey<String> CONTAINER_RUNTIME = AttributeKey.stringKey("container.runtime.name");
    public static final AttributeKey<String> K8S_POD_UID = AttributeKey.stringKey("k8s.pod.uid");
    public static final AttributeKey<String> K8S_POD_NAME = AttributeKey.stringKey("k8s.pod.name");
    public static final AttributeKey<String> K8S_NAMESPACE_NAME = AttributeKey.stringKey("k8s.namespace.name");
    public static final AttributeKey<String> K8S_CONTAINER_NAME = AttributeKey.stringKey("k8s.container.name");
    /** The conventions have no QoS attribute; the OOM killer's choice depends on it, so nodescope adds its own. */
    public static final AttributeKey<String> K8S_POD_QOS_CLASS = AttributeKey.stringKey("nodescope.k8s.pod.qos_class");
    public static final AttributeKey<String> K8S_NODE_NAME = AttributeKey.stringKey("k8s.node.name");
    public static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    public static final AttributeKey<String> CGROUP_PATH = AttributeKey.stringKey("nodescope.cgroup.path");
    public static final AttributeKey<String> PROCESS_EXECUTABLE_NAME = AttributeKey.stringKey("process.executable.name");
    public static final AttributeKey<String> PROCESS_EXECUTABLE_PATH = AttributeKey.stringKey("process.executable.path");
    public static final AttributeKey<String> PROCESS_COMMAND_LINE = AttributeKey.stringKey("process.command_line");

    public WorkloadIdentity {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(containerRuntime, "containerRuntime");
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(podName, "podName");
        Objects.requireNonNull(namespaceName, "namespaceName");
        Objects.requireNonNull(containerName, "containerName");
        Objects.requireNonNull(qosClass, "qosClass");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(cgroupPath, "cgroupPath");
        Objects.requireNonNull(executableName, "executableName");
        Objects.requireNonNull(executablePath, "executablePath");
        Objects.requireNonNull(commandLine, "commandLine");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The Resource attributes of the OpenTelemetry semantic conventions, for what is known. */
    public Attributes toResourceAttributes() {
        AttributesBuilder attributes = Attributes.builder();
        containerId.ifPresent(value -> attributes.put(CONTAINER_ID, value));
        containerRuntime.ifPresent(value -> attributes.put(CONTAINER_RUNTIME, value));
        podUid.ifPresent(value -> attributes.put(K8S_POD_UID, value));
        podName.ifPresent(value -> attributes.put(K8S_POD_NAME, value));
        namespaceName.ifPresent(value -> attributes.put(K8S_NAMESPACE_NAME, value));
        containerName.ifPresent(value -> attributes.put(K8S_CONTAINER_NAME, value));
        qosClass.ifPresent(value -> attributes.put(K8S_POD_QOS_CLASS, value.kubernetesName()));
        nodeName.ifPresent(value -> attributes.put(K8S_NODE_NAME, value));
        serviceName.ifPresent(value -> attributes.put(SERVICE_NAME, value));
        cgroupPath.ifPresent(value -> attributes.put(CGROUP_PATH, value));
        executableName.ifPresent(value -> attributes.put(PROCESS_EXECUTABLE_NAME, value));
        executablePath.ifPresent(value -> attributes.put(PROCESS_EXECUTABLE_PATH, value));
        commandLine.ifPresent(value -> attributes.put(PROCESS_COMMAND_LINE, value));
        return attributes.build();
    }

    /** Thirteen optional fields are unreadable as positional arguments: name them. */
    public static final class Builder {
        private Optional<String> containerId = Optional.empty();
        private Optional<String> containerRuntime = Optional.empty();
        private Optional<String> podUid = Optional.empty();
        private Optional<String> podName = Optional.empty();
        private Optional<String> namespaceName = Optional.empty();
        private Optional<String> containerName = Optional.empty();
        private Optional<PodQosClass> qosClass = Optional.empty();
        private Optional<String> nodeName = Optional.empty();
        private Optional<String> serviceName = Optional.empty();
        private Optional<String> cgroupPath = Optional.empty();
        private Optional<String> executableName = Optional.empty();
        private Optional<String> executablePath = Optional.empty();
        private Optional<String> commandLine = Optional.empty();

        private Builder() {}

        public Builder containerId(Optional<String> value) { containerId = value; return this; }
        public Builder containerRuntime(Optional<String> value) { containerRuntime = value; return this; }
        public Builder podUid(Optional<String> value) { podUid = value; return this; }
        public Builder podName(Optional<String> value) { podName = value; return this; }
        public Builder namespaceName(Optional<String> value) { namespaceName = value; return this; }
        public Builder containerName(Optional<String> value) { containerName = value; return this; }
        public Builder qosClass(Optional<PodQosClass> value) { qosClass = value; return this; }
        public Builder nodeName(Optional<String> value) { nodeName = value; return this; }
        public Builder serviceName(Optional<String> value) { serviceName = value; return this; }
        public Builder cgroupPath(Optional<String> value) { cgroupPath = value; return this; }
        public Builder executableName(Optional<String> value) { executableName = value; return this; }
        public Builder executablePath(Optional<String> value) { executablePath = value; return this; }
        public Builder commandLine(Optional<String> value) { commandLine = value; return this; }

        public WorkloadIdentity build() {
            return new WorkloadIdentity(containerId, containerRuntime, podUid, podName, namespaceName, containerName,
                    qosClass, nodeName, serviceName, cgroupPath, executableName, executablePath, commandLine);
        }
    }
}
