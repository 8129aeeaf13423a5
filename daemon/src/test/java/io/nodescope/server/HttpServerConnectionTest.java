package io.nodescope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the server treats connections: reuse, closing, and the bounds a stuck or greedy client meets. */
class HttpServerConnectionTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private HttpServer server;

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
        start(ServerLimits.DEFAULT);
        try (RawHttpConnection connection = connect()) {
            connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n");
            RawHttpConnection.Response first = connection.readResponse();
            connection.send("GET /readyz HTTP/1.1\r\nHost: test\r\n\r\n");
            RawHttpConnection.Response second = connection.readResponse();

            assertEquals(200, first.status());
            assertEquals("ok\n", first.body());
            assertEquals("3", first.headers().get("content-length"));
            assertEquals(200, second.status());
            assertEquals("ready\n", second.body());
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        start(ServerLimits.DEFAULT);
        try (RawHttpConnection connection = connect()) {
            connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
            RawHttpConnection.Response response = connection.readResponse();

            assertEquals(200, response.status());
            assertEquals("close", response.headers().get("connection"));
            assertTrue(connection.closedByServer());
        }
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheResponse() throws IOException {
        start(ServerLimits.DEFAULT);
        try (RawHttpConnection connection = connect()) {
            connection.send("GET /healthz HTTP/1.0\r\n\r\n");

            assertEquals("ok\n", connection.readResponse().body());
            assertTrue(connection.closedByServer());
        }
    }

    @Test
    void aBodyOverTheLimitIs413() throws IOException {
        start(new ServerLimits(1024, ServerLimits.DEFAULT.idleTimeout()));
        try (RawHttpConnection connection = connect()) {
            connection.send("POST /metrics HTTP/1.1\r\nHost: test\r\nContent-Length: 1025\r\n\r\n");

            assertEquals(413, connection.readResponse().status());
        }
    }

    @Test
    void headersOverTheDecoderLimitAre431AndTheConnectionIsClosed() throws IOException {
        start(ServerLimits.DEFAULT);
        try (RawHttpConnection connection = connect()) {
            connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\nX-Filler: " + "a".repeat(16 * 1024) + "\r\n\r\n");

            assertEquals(431, connection.readResponse().status());
            assertTrue(connection.closedByServer());
        }
    }

    @Test
    void aMalformedRequestIs400() throws IOException {
        start(ServerLimits.DEFAULT);
        try (RawHttpConnection connection = connect()) {
            connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: many\r\n\r\n");

            RawHttpConnection.Response response = connection.readResponse();

            assertEquals(400, response.status());
            assertFalse(response.body().strip().contains("\n"), response.body());
        }
    }

    @Test
    void anIdleConnectionIsClosedByTheServer() throws IOException {
        start(new ServerLimits(ServerLimits.DEFAULT.maxRequestBytes(), Duration.ofMillis(200)));
        try (RawHttpConnection connection = connect()) {
            assertTrue(connection.closedByServer());
        }
    }

    private void start(ServerLimits limits) throws IOException {
        server = HttpServer.start(LOOPBACK_ANY_PORT, new MetricsRegistry(), Optional::empty, limits);
    }

    private RawHttpConnection connect() throws IOException {
        return new RawHttpConnection(server.boundAddress());
    }
}
