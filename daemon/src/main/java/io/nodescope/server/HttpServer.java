package io.nodescope.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.nodescope.metrics.MetricsRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** The daemon's own HTTP endpoints: /healthz, /readyz and /metrics. */
public final class HttpServer implements AutoCloseable {
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private final EventLoopGroup eventLoop;
    private final Channel serverChannel;
    private final InetSocketAddress boundAddress;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HttpServer(EventLoopGroup eventLoop, Channel serverChannel) {
        this.eventLoop = eventLoop;
        this.serverChannel = serverChannel;
        this.boundAddress = (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Binds and starts serving; throws java.io.IOException with a one-line message naming the address
     * and the cause (e.g. "cannot bind HTTP endpoint 127.0.0.1:9464: Address already in use") when the
     * bind fails. Port 0 = ephemeral.
     */
    public static HttpServer start(InetSocketAddress address, MetricsRegistry metrics, ReadinessCheck readiness)
            throws IOException {
        return start(address, metrics, readiness, ServerLimits.DEFAULT);
    }

    static HttpServer start(InetSocketAddress address, MetricsRegistry metrics, ReadinessCheck readiness,
                            ServerLimits limits) throws IOException {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(readiness, "readiness");
        if (address.isUnresolved()) {
            // Netty would fail with a bare UnresolvedAddressException, which has no message to show.
            throw new IOException(bindFailure(address, "host does not resolve"));
        }
        // One thread accepts and serves: a few probes and scrapes a minute need no more. Daemon threads,
        // so a forgotten close() never holds the JVM open.
        EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("nodescope-http", true), NioIoHandler.newFactory());
        ChannelFuture bind = new ServerBootstrap()
                .group(eventLoop)
                .channel(NioServerSocketChannel.class)
                .childHandler(new HttpPipeline(new Endpoints(metrics, readiness), limits))
                .bind(address)
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            shutDown(eventLoop);
            Throwable cause = bind.cause();
            String reason = Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName());
            throw new IOException(bindFailure(address, reason), cause);
        }
        return new HttpServer(eventLoop, bind.channel());
    }

    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    /** Stops accepting, closes the channel and shuts the event loop down within a bounded time (2 s). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Queued on the event loop ahead of the shutdown, so the port is free once the loop has terminated.
        serverChannel.close();
        shutDown(eventLoop);
    }

    private static void shutDown(EventLoopGroup eventLoop) {
        // No quiet period: nothing queued here is worth delaying the daemon's exit for.
        long timeoutMillis = SHUTDOWN_TIMEOUT.toMillis();
        eventLoop.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS).awaitUninterruptibly(timeoutMillis);
    }

    private static String bindFailure(InetSocketAddress address, String reason) {
        String host = address.getHostString();
        String hostPort = host.contains(":") ? "[" + host + "]:" + address.getPort() : host + ":" + address.getPort();
        return "cannot bind HTTP endpoint " + hostPort + ": " + reason;
    }
}
