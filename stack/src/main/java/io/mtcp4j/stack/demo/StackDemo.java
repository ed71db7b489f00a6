package io.mtcp4j.stack.demo;

import io.mtcp4j.stack.device.CaptureDevice;
import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.engine.Engine;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.ArpFlyweight;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.PcapWriter;
import io.mtcp4j.stack.wire.TcpHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo behind {@code ./mtcp4j demo}: two user-level stacks in this JVM, each an {@link Engine}
 * with its own addresses, wired back to back by a linked pair of {@code loop} devices. The client
 * resolves the server (ARP, then IPv6 neighbour discovery), sends an HTTP request over TCP/IPv4
 * and again over TCP/IPv6, the server answers, both close. A capture device on the client's link
 * writes every frame to a pcap file; the demo reads the file back, prints each frame as the frame
 * parser decodes it, the engines' counters, and, when {@code tshark} is installed, tshark's reading
 * of the same file. Time is simulated (50 us per loop); sequence numbers and timestamps differ
 * between runs, as the initial sequence numbers come from a random key (RFC 6528).
 */
public final class StackDemo {
    private static final int CLIENT_IPV4 = Ipv4Address.parse("10.10.0.1");
    private static final int SERVER_IPV4 = Ipv4Address.parse("10.10.0.2");
    private static final Ipv6Address CLIENT_IPV6 = Ipv6Address.parse("fd00:10:10::1");
    private static final Ipv6Address SERVER_IPV6 = Ipv6Address.parse("fd00:10:10::2");
    private static final int SERVER_PORT = 8080;
    private static final long STEP_NS = 50_000;
    /** 2026-11-24T00:00:00Z: the capture's timestamps start here. */
    private static final long EPOCH_START_NS = 1_795_478_400L * 1_000_000_000L;
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n".getBytes(StandardCharsets.US_ASCII);

    private long nowNs;
    private Engine client;
    private Engine server;

    public static void main(String[] args) throws IOException, InterruptedException {
        Path pcap = Path.of(args.length > 0 ? args[0] : "demo.pcap");
        new StackDemo().run(pcap);
    }

    private void run(Path pcap) throws IOException, InterruptedException {
        Path parent = pcap.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // Full checksums on the link (no offload), so that the capture reads as a real wire would.
        LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("demo").withOffloads(false, false));
        CaptureDevice capture = new CaptureDevice(pair.a(),
                PcapWriter.open(pcap, PcapWriter.TimestampPrecision.NANOSECONDS, 65_535), () -> EPOCH_START_NS + nowNs);
        try {
            client = new Engine(EngineConfig.of(StackAddresses.of(capture.macAddress(), CLIENT_IPV4, 24, CLIENT_IPV6, 64)),
                    capture, 0, nowNs);
            server = new Engine(EngineConfig.of(StackAddresses.of(pair.b().macAddress(), SERVER_IPV4, 24, SERVER_IPV6, 64)),
                    pair.b(), 0, nowNs);
            System.out.println("Two mtcp4j stacks in one JVM, linked back to back:");
            System.out.println("  client " + Ipv4Address.format(CLIENT_IPV4) + " / " + CLIENT_IPV6
                    + "  mac " + MacAddress.format(capture.macAddress()));
            System.out.println("  server " + Ipv4Address.format(SERVER_IPV4) + " / " + SERVER_IPV6
                    + "  mac " + MacAddress.format(pair.b().macAddress()) + "  listening on port " + SERVER_PORT);
            System.out.println();

            exchange(false);
            exchange(true);
            capture.flush();
        } finally {
            capture.close();
            pair.b().close();
        }

        System.out.println();
        System.out.println("Every frame on the client's link, read back from " + pcap + " and decoded by FrameParser:");
        List<byte[]> frames = readCapture(pcap);
        FrameParser parser = new FrameParser();
        for (int i = 0; i < frames.size(); i++) {
            MemorySegment frame = MemorySegment.ofArray(frames.get(i));
            Malformed result = parser.parse(frame, 0, frame.byteSize(), true);
            System.out.printf("%3d  %4d B  %s%n", i + 1, frame.byteSize(), describe(parser, result));
        }
        System.out.println();
        System.out.println("client engine: " + client.counters());
        System.out.println("server engine: " + server.counters());
        runTshark(pcap);
    }

    /** One HTTP request and response over a new connection, then both sides close. */
    private void exchange(boolean ipv6) throws IOException {
        TcpListener listener = server.listen(ipv6, SERVER_PORT, 8);
        InetAddress serverAddress = InetAddress.getByAddress(ipv6 ? SERVER_IPV6.toBytes() : new byte[] {10, 10, 0, 2});
        TcpConnection connection = client.connect(serverAddress, SERVER_PORT, (c, events) -> { });
        String host = ipv6 ? "[" + SERVER_IPV6 + "]" : Ipv4Address.format(SERVER_IPV4);
        byte[] request = ("GET / HTTP/1.1\r\nHost: " + host + ":" + SERVER_PORT + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        TcpConnection accepted = null;
        boolean requestSent = false;
        boolean responseSent = false;
        ByteArrayOutputStream atServer = new ByteArrayOutputStream();
        ByteArrayOutputStream atClient = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int step = 0; step < 200_000; step++) {
            if (accepted == null) {
                accepted = listener.accept();
            }
            if (!requestSent && connection.state() == TcpState.ESTABLISHED) {
                client.write(connection, request, 0, request.length);
                requestSent = true;
            }
            if (accepted != null) {
                int read;
                while ((read = server.read(accepted, buffer, 0, buffer.length)) > 0) {
                    atServer.write(buffer, 0, read);
                }
                if (!responseSent && atServer.size() >= request.length) {
                    server.write(accepted, RESPONSE, 0, RESPONSE.length);
                    responseSent = true;
                }
                if (read < 0 && accepted.state() == TcpState.CLOSE_WAIT) {
                    server.close(accepted);
                }
            }
            int read;
            while ((read = client.read(connection, buffer, 0, buffer.length)) > 0) {
                atClient.write(buffer, 0, read);
            }
            if (atClient.size() >= RESPONSE.length && connection.state() == TcpState.ESTABLISHED) {
                client.close(connection);
            }
            if (accepted != null && accepted.state() == TcpState.CLOSED
                    && (connection.state() == TcpState.TIME_WAIT || connection.state() == TcpState.CLOSED)) {
                break;
            }
            nowNs += STEP_NS;
            client.doWork(nowNs);
            server.doWork(nowNs);
        }
        String family = ipv6 ? "IPv6" : "IPv4";
        System.out.printf("%s: the server read %d request bytes, the client read \"%s\"; client %s, server %s%n",
                family, atServer.size(), atClient.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse(""),
                connection.state(), accepted == null ? "never accepted" : accepted.state());
        System.out.println("      client connection: " + connection.info());
        server.unlisten(ipv6, listener);
    }

    private static List<byte[]> readCapture(Path pcap) throws IOException {
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.nativeOrder());
        List<byte[]> frames = new ArrayList<>();
        int position = 24; // the global header
        while (position + 16 <= file.limit()) {
            int capturedLength = file.getInt(position + 8);
            byte[] frame = new byte[capturedLength];
            file.get(position + 16, frame);
            frames.add(frame);
            position += 16 + capturedLength;
        }
        return frames;
    }

    private static String describe(FrameParser parser, Malformed result) {
        if (result != Malformed.NONE) {
            return "dropped: " + result.counterName();
        }
        return switch (parser.network()) {
            case ARP -> {
                ArpFlyweight arp = parser.arp();
                yield arp.isRequest()
                        ? "ARP  who-has " + Ipv4Address.format(arp.targetIp()) + " tell " + Ipv4Address.format(arp.senderIp())
                        : "ARP  " + Ipv4Address.format(arp.senderIp()) + " is-at " + MacAddress.format(arp.senderMac());
            }
            case IPV4 -> "IPv4 " + Ipv4Address.format(parser.ipv4().source()) + " > "
                    + Ipv4Address.format(parser.ipv4().destination()) + "  " + transport(parser);
            case IPV6 -> "IPv6 " + Ipv6Address.format(parser.ipv6().sourceHigh(), parser.ipv6().sourceLow()) + " > "
                    + Ipv6Address.format(parser.ipv6().destinationHigh(), parser.ipv6().destinationLow()) + "  "
                    + transport(parser);
            case NONE -> "(no network layer)";
        };
    }

    private static String transport(FrameParser parser) {
        return switch (parser.transport()) {
            case TCP -> "TCP " + TcpHeader.from(parser.tcp()) + " length " + parser.tcp().payloadLength();
            case ICMPV6 -> "ICMPv6 " + switch (parser.icmpv6().type()) {
                case 135 -> "neighbour solicitation";
                case 136 -> "neighbour advertisement";
                default -> "type " + parser.icmpv6().type();
            } + " target " + Ipv6Address.format(parser.icmpv6().targetHigh(), parser.icmpv6().targetLow());
            case ICMPV4 -> "ICMP type " + parser.icmpv4().type();
            case NONE -> "";
        };
    }

    private static void runTshark(Path pcap) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("tshark", "-n", "-r", pcap.toString(),
                "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE")
                .redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException notInstalled) {
            System.out.println("tshark is not installed (Debian package tshark); open " + pcap + " in Wireshark to compare.");
            return;
        }
        System.out.println();
        System.out.println("tshark's reading of the same file:");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        output.lines()
                .filter(line -> !line.startsWith("Running as user"))
                .forEach(line -> System.out.println("  " + line));
    }
}
