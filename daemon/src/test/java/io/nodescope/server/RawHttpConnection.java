package io.nodescope.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A client socket that writes requests byte for byte, for what java.net.http.HttpClient won't do:
 * pin requests to one connection, send malformed or oversized requests, watch the server close.
 */
final class RawHttpConnection implements AutoCloseable {
    // Only a bound on a broken server hanging the test; no assertion depends on it.
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    record Response(int status, Map<String, String> headers, String body) {}

    private final Socket socket;
    private final InputStream in;

    RawHttpConnection(InetSocketAddress server) throws IOException {
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = socket.getInputStream();
    }

    void send(String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Reads one response whose body length is given by Content-Length, as all of the server's are. */
    Response readResponse() throws IOException {
        String statusLine = readLine();
        Map<String, String> headers = new TreeMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, UTF_8));
    }

    /** True when the server has closed its side: the next read sees end of stream. */
    boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("connection closed mid-response after: " + line.toString(US_ASCII));
            }
            line.write(b);
        }
        return line.toString(US_ASCII).stripTrailing();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
