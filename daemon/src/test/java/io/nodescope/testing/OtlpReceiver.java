package io.nodescope.testing;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP trace and metrics receiver on loopback, gRPC or HTTP/protobuf, decoding what
 * arrives with the official opentelemetry-proto classes, the way a collector would.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** A span together with the Resource it arrived under. */
    public record ReceivedSpan(Span span, Resource resource) {
        public Optional<AnyValue> attribute(String key) {
            return find(span.getAttributesList(), key);
        }

        public Optional<AnyValue> resourceAttribute(String key) {
            return find(resource.getAttributesList(), key);
        }

        /** A span attribute's string value; fails the test, naming the key, when there is none. */
        public String string(String key) {
            return required(key).getStringValue();
        }

        public long integer(String key) {
            return required(key).getIntValue();
        }

        public List<String> strings(String key) {
            return required(key).getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList();
        }

        public String resourceString(String key) {
            return resourceAttribute(key).orElseThrow(() -> new AssertionError("no resource attribute " + key
                    + " in " + resource)).getStringValue();
        }

        private AnyValue required(String key) {
            return attribute(key).orElseThrow(() -> new AssertionError("no attribute " + key + " in " + span));
        }

        static Optional<AnyValue> find(List<KeyValue> attributes, String key) {
            return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst();
        }
    }

    /** A metric (all its points of one export) together with the Resource it arrived under. */
    public record ReceivedMetric(Metric metric, Resource resource) {
        public Optional<AnyValue> resourceAttribute(String key) {
            return ReceivedSpan.find(resource.getAttributesList(), key);
        }
    }

    /** Parses a request body; the proto classes' parseFrom, which may throw. */
    private interface Parser<T> {
        T parse(InputStream body) throws InvalidProtocolBufferException, IOException;
    }

    public enum Protocol {
        GRPC("grpc"), HTTP_PROTOBUF("http/protobuf");

        public final String otelName;

        Protocol(String otelName) {
            this.otelName = otelName;
        }
    }

    private final Protocol protocol;
    private final List<ExportTraceServiceRequest> requests = new ArrayList<>();
    private final List<ExportMetricsServiceRequest> metricRequests = new ArrayList<>();
    private final AutoCloseable server;
    private final int port;

    private OtlpReceiver(Protocol protocol, int port) throws IOException {
        this.protocol = protocol;
        if (protocol == Protocol.GRPC) {
            Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                        @Override
                        public void export(ExportTraceServiceRequest request,
                                           StreamObserver<ExportTraceServiceResponse> response) {
                            received(request);
                            response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                            response.onCompleted();
                        }
                    })
                    .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
                        @Override
                        public void export(ExportMetricsServiceRequest request,
                                           StreamObserver<ExportMetricsServiceResponse> response) {
                            received(request);
                            response.onNext(ExportMetricsServiceResponse.getDefaultInstance());
                            response.onCompleted();
                        }
                    }).build().start();
            this.port = grpc.getPort();
            this.server = () -> grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } else {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            http.createContext("/v1/traces", exchange -> answer(exchange, ExportTraceServiceRequest::parseFrom,
                    this::received, ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
            http.createContext("/v1/metrics", exchange -> answer(exchange, ExportMetricsServiceRequest::parseFrom,
                    this::received, ExportMetricsServiceResponse.getDefaultInstance().toByteArray()));
            http.start();
            this.port = http.getAddress().getPort();
            this.server = () -> http.stop(0);
        }
    }

    private static <T> void answer(com.sun.net.httpserver.HttpExchange exchange, Parser<T> parser,
                                   java.util.function.Consumer<T> receiver, byte[] reply) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            InputStream decoded = "gzip".equalsIgnoreCase(exchange.getRequestHeaders()
                    .getFirst("Content-Encoding")) ? new GZIPInputStream(body) : body;
            receiver.accept(parser.parse(decoded));
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
        } finally {
            exchange.close();
        }
    }

    /** Starts on an ephemeral port (0) or on a given one (to come back on the same endpoint). */
    public static OtlpReceiver start(Protocol protocol, int port) throws IOException {
        return new OtlpReceiver(protocol, port);
    }

    public Protocol protocol() {
        return protocol;
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    private synchronized void received(ExportTraceServiceRequest request) {
        requests.add(request);
        notifyAll();
    }

    private synchronized void received(ExportMetricsServiceRequest request) {
        metricRequests.add(request);
        notifyAll();
    }

    /** Every metric of every export so far, oldest first (a cumulative metric arrives once per export). */
    public synchronized List<ReceivedMetric> metrics() {
        List<ReceivedMetric> metrics = new ArrayList<>();
        for (ExportMetricsServiceRequest request : metricRequests) {
            for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
                for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
                    for (Metric metric : scopeMetrics.getMetricsList()) {
                        metrics.add(new ReceivedMetric(metric, resourceMetrics.getResource()));
                    }
                }
            }
        }
        return metrics;
    }

    /** Waits until a metric matching the predicate has arrived. */
    public ReceivedMetric awaitMetric(Predicate<ReceivedMetric> wanted, Duration timeout) throws InterruptedException {
        return awaitFirst(this::metrics, wanted, timeout, "metric");
    }

    public synchronized List<ReceivedSpan> spans() {
        List<ReceivedSpan> spans = new ArrayList<>();
        for (ExportTraceServiceRequest request : requests) {
            for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
                for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                    for (Span span : scopeSpans.getSpansList()) {
                        spans.add(new ReceivedSpan(span, resourceSpans.getResource()));
                    }
                }
            }
        }
        return spans;
    }

    /** Waits until a span matching the predicate has arrived. */
    public ReceivedSpan await(Predicate<ReceivedSpan> wanted, Duration timeout) throws InterruptedException {
        return awaitFirst(this::spans, wanted, timeout, "span");
    }

    private synchronized <T> T awaitFirst(Supplier<List<T>> received, Predicate<T> wanted, Duration timeout,
                                          String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> match = received.get().stream().filter(wanted).findFirst();
            if (match.isPresent()) {
                return match.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching " + what + " within " + timeout + "; received: " + received.get());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
