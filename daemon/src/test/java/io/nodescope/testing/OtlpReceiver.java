package io.nodescope.testing;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
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
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP trace receiver on loopback, gRPC or HTTP/protobuf, decoding what arrives with the
 * official opentelemetry-proto classes, the way a collector would.
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

        private static Optional<AnyValue> find(List<KeyValue> attributes, String key) {
            return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst();
        }
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
                    }).build().start();
            this.port = grpc.getPort();
            this.server = () -> grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } else {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            http.createContext("/v1/traces", exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    InputStream decoded = "gzip".equalsIgnoreCase(exchange.getRequestHeaders()
                            .getFirst("Content-Encoding")) ? new GZIPInputStream(body) : body;
                    received(ExportTraceServiceRequest.parseFrom(decoded));
                    byte[] reply = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                    exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, reply.length);
                    exchange.getResponseBody().write(reply);
                } finally {
                    exchange.close();
                }
            });
            http.start();
            this.port = http.getAddress().getPort();
            this.server = () -> http.stop(0);
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
    public synchronized ReceivedSpan await(Predicate<ReceivedSpan> wanted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<ReceivedSpan> match = spans().stream().filter(wanted).findFirst();
            if (match.isPresent()) {
                return match.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching span within " + timeout + "; received: " + spans());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
