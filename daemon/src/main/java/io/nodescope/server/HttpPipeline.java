package io.nodescope.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The stages every accepted connection goes through. */
final class HttpPipeline extends ChannelInitializer<SocketChannel> {
    private final ServerLimits limits;
    private final IdleConnectionCloser idleCloser = new IdleConnectionCloser();
    private final RequestHandler requests;

    HttpPipeline(Endpoints endpoints, ServerLimits limits) {
        this.limits = limits;
        this.requests = new RequestHandler(endpoints);
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channel.pipeline().addLast(
                // All-idle, not read-idle: a client that stops reading our response is as stuck as a silent one.
                new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                idleCloser,
                new HttpServerCodec(),
                // Before the aggregator, so its 413 responses get the same keep-alive treatment as ours.
                new HttpServerKeepAliveHandler(),
                new HttpObjectAggregator(limits.maxRequestBytes()),
                requests);
    }
}
