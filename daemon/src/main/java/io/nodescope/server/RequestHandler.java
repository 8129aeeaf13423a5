package io.nodescope.server;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_URI_TOO_LONG;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.function.Supplier;

/** Answers one aggregated request: routing, method checks, HEAD, and failures turned into responses. */
@ChannelHandler.Sharable
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final System.Logger LOG = System.getLogger(RequestHandler.class.getName());
    private static final String ALLOWED_METHODS = "GET, HEAD";

    private final Endpoints endpoints;

    RequestHandler(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            // The decoder discards everything after a malformed request, so the connection is useless.
            write(ctx, request, undecodable(request.decoderResult().cause()), false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        Optional<Supplier<Reply>> endpoint = endpoints.find(path);
        Reply reply;
        if (endpoint.isEmpty()) {
            reply = Reply.line(NOT_FOUND, "not found: " + path);
        } else if (!isGetOrHead(request.method())) {
            reply = Reply.line(METHOD_NOT_ALLOWED, request.method() + " not allowed, use " + ALLOWED_METHODS);
        } else {
            reply = answer(endpoint.get(), path);
        }
        write(ctx, request, reply, true);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // An I/O error (a client resetting, say) ends that connection only, never the server.
        LOG.log(Level.DEBUG, "closing HTTP connection after error", cause);
        ctx.close();
    }

    private static boolean isGetOrHead(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    }

    private static Reply answer(Supplier<Reply> endpoint, String path) {
        try {
            return endpoint.get();
        } catch (RuntimeException e) {
            // The stack goes to the log; the client gets one line, enough to tell a broken check from a dead daemon.
            LOG.log(Level.WARNING, "HTTP endpoint " + path + " failed", e);
            return Reply.line(INTERNAL_SERVER_ERROR, "internal error: " + e);
        }
    }

    private static Reply undecodable(Throwable cause) {
        return switch (cause) {
            case TooLongHttpLineException _ -> Reply.line(REQUEST_URI_TOO_LONG, "request line too long");
            case TooLongHttpHeaderException _ -> Reply.line(REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
            default -> Reply.line(BAD_REQUEST, "bad request: " + cause.getMessage());
        };
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, Reply reply, boolean keepAliveAllowed) {
        byte[] body = reply.body().getBytes(UTF_8);
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        // HEAD announces the length GET would send, as RFC 9110 asks.
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (reply.status().equals(METHOD_NOT_ALLOWED)) {
            response.headers().set(HttpHeaderNames.ALLOW, ALLOWED_METHODS);
        }
        if (!keepAliveAllowed) {
            // HttpServerKeepAliveHandler sees "Connection: close" and closes once this is written.
            HttpUtil.setKeepAlive(response, false);
        }
        ctx.writeAndFlush(response);
    }
}
