package io.mtcp4j.stack.demo;

import io.mtcp4j.stack.wire.ArpFlyweight;
import io.mtcp4j.stack.wire.ArpPacket;
import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.EthernetHeader;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv6Flyweight;
import io.mtcp4j.stack.wire.Icmpv6Message;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv4Header;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.Ipv6Header;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.PcapWriter;
import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpHeader;
import io.mtcp4j.stack.wire.TcpOptionSet;
import io.mtcp4j.stack.wire.TcpSegment;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The wire-layer demo behind {@code ./mtcp4j demo}: builds a short HTTP exchange over TCP/IPv4
 * and a handshake over TCP/IPv6, frame by frame, with the value records; parses every frame back
 * with {@link FrameParser} (checksums verified) and prints what it decoded; damages two copies to
 * show drops by reason; writes the frames to a pcap file and, when {@code tshark} is installed,
 * prints tshark's reading of the same file.
 */
public final class WireDemo {
    private static final long CLIENT_MAC = MacAddress.parse("02:00:00:00:00:01");
    private static final long SERVER_MAC = MacAddress.parse("02:00:00:00:00:02");
    private static final int CLIENT_IPV4 = Ipv4Address.parse("10.10.0.1");
    private static final int SERVER_IPV4 = Ipv4Address.parse("10.10.0.2");
    private static final Ipv6Address CLIENT_IPV6 = Ipv6Address.parse("fd00:10:10::1");
    private static final Ipv6Address SERVER_IPV6 = Ipv6Address.parse("fd00:10:10::2");
    private static final int CLIENT_PORT = 40000;
    private static final int SERVER_PORT = 8080;
    private static final int FRAME_CAPACITY = 2048;
    /** 2026-11-24T00:00:00Z, so that the capture reads the same on every run. */
    private static final long START_NS = 1_795_478_400L * 1_000_000_000L;

    private final Arena arena = Arena.ofConfined();
    private final List<MemorySegment> frames = new ArrayList<>();

    public static void main(String[] args) throws IOException, InterruptedException {
        Path pcap = Path.of(args.length > 0 ? args[0] : "demo.pcap");
        new WireDemo().run(pcap);
    }

    private void run(Path pcap) throws IOException, InterruptedException {
        buildConversation();

        System.out.println("Frames built with the wire layer and parsed back by FrameParser (checksums verified):");
        FrameParser parser = new FrameParser();
        for (int i = 0; i < frames.size(); i++) {
            MemorySegment frame = frames.get(i);
            Malformed result = parser.parse(frame, 0, frame.byteSize(), true);
            System.out.printf("%3d  %4d B  %s%n", i + 1, frame.byteSize(), describe(parser, result));
        }

        System.out.println();
        System.out.println("Damaged copies are dropped with a named reason, never an exception:");
        long[] drops = new long[Malformed.count()];
        MemorySegment badChecksum = copy(frames.get(5));
        int lastByte = (int) badChecksum.byteSize() - 1;
        badChecksum.set(ValueLayout.JAVA_BYTE, lastByte,
                (byte) (badChecksum.get(ValueLayout.JAVA_BYTE, lastByte) ^ 0x20));
        MemorySegment truncated = copy(frames.get(2)).asSlice(0, 14 + 20 + 10);
        for (MemorySegment damaged : List.of(badChecksum, truncated)) {
            Malformed result = parser.parse(damaged, 0, damaged.byteSize(), true);
            drops[result.ordinal()]++;
            System.out.printf("     %4d B  dropped: %s%n", damaged.byteSize(), result.counterName());
        }
        System.out.println("drop counters:");
        for (int reason = 0; reason < drops.length; reason++) {
            if (drops[reason] != 0) {
                System.out.printf("     %-28s %d%n", Malformed.ofOrdinal(reason).counterName(), drops[reason]);
            }
        }

        writeCapture(pcap);
        System.out.println();
        System.out.println("wrote " + frames.size() + " frames to " + pcap);
        runTshark(pcap);
    }

    private void buildConversation() {
        // IPv4: the client resolves the server, then a request and a response on one connection.
        addArp(EthernetHeader.untagged(MacAddress.BROADCAST, CLIENT_MAC, EthernetFlyweight.ETHERTYPE_ARP),
                ArpPacket.request(CLIENT_MAC, CLIENT_IPV4, SERVER_IPV4));
        addArp(EthernetHeader.untagged(CLIENT_MAC, SERVER_MAC, EthernetFlyweight.ETHERTYPE_ARP),
                ArpPacket.reply(SERVER_MAC, SERVER_IPV4, CLIENT_MAC, CLIENT_IPV4));

        int clientSeq = 1_000;
        int serverSeq = 5_000_000;
        byte[] request = "GET / HTTP/1.1\r\nHost: 10.10.0.2\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] response = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n".getBytes(StandardCharsets.US_ASCII);
        TcpOptionSet synOptions = TcpOptionSet.NONE.withMss(1460).withSackPermitted(true)
                .withTimestamps(100, 0).withWindowScale(7);
        addIpv4(true, segment(true, clientSeq, 0, TcpFlyweight.FLAG_SYN, 64240, synOptions, new byte[0]));
        addIpv4(false, segment(false, serverSeq, clientSeq + 1, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK, 65160,
                synOptions.withTimestamps(7_000, 100), new byte[0]));
        clientSeq++;
        serverSeq++;
        addIpv4(true, segment(true, clientSeq, serverSeq, TcpFlyweight.FLAG_ACK, 502,
                TcpOptionSet.NONE.withTimestamps(101, 7_000), new byte[0]));
        addIpv4(true, segment(true, clientSeq, serverSeq, TcpFlyweight.FLAG_PSH | TcpFlyweight.FLAG_ACK, 502,
                TcpOptionSet.NONE.withTimestamps(101, 7_000), request));
        clientSeq += request.length;
        addIpv4(false, segment(false, serverSeq, clientSeq, TcpFlyweight.FLAG_PSH | TcpFlyweight.FLAG_ACK, 509,
                TcpOptionSet.NONE.withTimestamps(7_001, 101), response));
        serverSeq += response.length;
        addIpv4(true, segment(true, clientSeq, serverSeq, TcpFlyweight.FLAG_FIN | TcpFlyweight.FLAG_ACK, 502,
                TcpOptionSet.NONE.withTimestamps(102, 7_001), new byte[0]));
        clientSeq++;
        addIpv4(false, segment(false, serverSeq, clientSeq, TcpFlyweight.FLAG_FIN | TcpFlyweight.FLAG_ACK, 509,
                TcpOptionSet.NONE.withTimestamps(7_002, 102), new byte[0]));
        serverSeq++;
        addIpv4(true, segment(true, clientSeq, serverSeq, TcpFlyweight.FLAG_ACK, 502,
                TcpOptionSet.NONE.withTimestamps(103, 7_002), new byte[0]));

        // IPv6: neighbour discovery, then a handshake.
        Ipv6Address solicited = SERVER_IPV6.solicitedNode();
        addIcmpv6(solicited.multicastMac(), CLIENT_MAC, CLIENT_IPV6, solicited,
                new Icmpv6Message.NeighborSolicitation(SERVER_IPV6, OptionalLong.of(CLIENT_MAC)));
        addIcmpv6(CLIENT_MAC, SERVER_MAC, SERVER_IPV6, CLIENT_IPV6,
                new Icmpv6Message.NeighborAdvertisement(false, true, true, SERVER_IPV6, OptionalLong.of(SERVER_MAC)));
        TcpOptionSet synOptions6 = synOptions.withMss(1440);
        addIpv6(true, segment(true, 2_000, 0, TcpFlyweight.FLAG_SYN, 64800, synOptions6, new byte[0]));
        addIpv6(false, segment(false, 9_000_000, 2_001, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK, 64800,
                synOptions6.withTimestamps(8_000, 100), new byte[0]));
        addIpv6(true, segment(true, 2_001, 9_000_001, TcpFlyweight.FLAG_ACK, 507,
                TcpOptionSet.NONE.withTimestamps(101, 8_000), new byte[0]));
    }

    private static TcpSegment segment(boolean fromClient, int seq, int ack, int flags, int window,
                                      TcpOptionSet options, byte[] payload) {
        int source = fromClient ? CLIENT_PORT : SERVER_PORT;
        int destination = fromClient ? SERVER_PORT : CLIENT_PORT;
        return new TcpSegment(new TcpHeader(source, destination, seq, ack, flags, window, 0, 0, options), payload);
    }

    private void addArp(EthernetHeader ethernet, ArpPacket arp) {
        MemorySegment frame = arena.allocate(FRAME_CAPACITY);
        int length = ethernet.writeTo(frame, 0);
        length += arp.writeTo(frame, length);
        frames.add(frame.asSlice(0, length));
    }

    private void addIpv4(boolean fromClient, TcpSegment tcp) {
        MemorySegment frame = arena.allocate(FRAME_CAPACITY);
        int length = EthernetHeader.untagged(fromClient ? SERVER_MAC : CLIENT_MAC, fromClient ? CLIENT_MAC : SERVER_MAC,
                EthernetFlyweight.ETHERTYPE_IPV4).writeTo(frame, 0);
        int source = fromClient ? CLIENT_IPV4 : SERVER_IPV4;
        int destination = fromClient ? SERVER_IPV4 : CLIENT_IPV4;
        int ipLength = Ipv4Header.of(Ipv4Flyweight.PROTOCOL_TCP, source, destination, tcp.length()).writeTo(frame, length);
        long pseudoHeader = Checksum.pseudoHeaderIpv4(source, destination, Ipv4Flyweight.PROTOCOL_TCP, tcp.length());
        length += ipLength + tcp.writeWithChecksum(frame, length + ipLength, pseudoHeader);
        frames.add(frame.asSlice(0, length));
    }

    private void addIpv6(boolean fromClient, TcpSegment tcp) {
        Ipv6Address source = fromClient ? CLIENT_IPV6 : SERVER_IPV6;
        Ipv6Address destination = fromClient ? SERVER_IPV6 : CLIENT_IPV6;
        MemorySegment frame = arena.allocate(FRAME_CAPACITY);
        int length = EthernetHeader.untagged(fromClient ? SERVER_MAC : CLIENT_MAC, fromClient ? CLIENT_MAC : SERVER_MAC,
                EthernetFlyweight.ETHERTYPE_IPV6).writeTo(frame, 0);
        int ipLength = new Ipv6Header(0, 0, tcp.length(), 64, source, destination, Ipv6Flyweight.TCP)
                .writeTo(frame, length);
        Ipv6Flyweight ipv6 = new Ipv6Flyweight().wrapForWrite(frame, length);
        long pseudoHeader = ipv6.pseudoHeaderSum(Ipv6Flyweight.TCP, tcp.length());
        length += ipLength + tcp.writeWithChecksum(frame, length + ipLength, pseudoHeader);
        frames.add(frame.asSlice(0, length));
    }

    private void addIcmpv6(long destinationMac, long sourceMac, Ipv6Address source, Ipv6Address destination,
                           Icmpv6Message message) {
        MemorySegment frame = arena.allocate(FRAME_CAPACITY);
        int length = EthernetHeader.untagged(destinationMac, sourceMac, EthernetFlyweight.ETHERTYPE_IPV6)
                .writeTo(frame, 0);
        long ipOffset = length;
        // Neighbour discovery is sent with hop limit 255 (RFC 4861 7.1.1).
        int ipLength = new Ipv6Header(0, 0, 0, 255, source, destination, Ipv6Flyweight.ICMPV6).writeTo(frame, ipOffset);
        int icmpLength = message.writeTo(frame, ipOffset + ipLength);
        Ipv6Flyweight ipv6 = new Ipv6Flyweight().wrapForWrite(frame, ipOffset).payloadLength(icmpLength);
        new Icmpv6Flyweight().wrapForWrite(frame, ipOffset + ipLength, icmpLength)
                .fillChecksum(ipv6.pseudoHeaderSum(Ipv6Flyweight.ICMPV6, icmpLength));
        frames.add(frame.asSlice(0, ipOffset + ipLength + icmpLength));
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

    private MemorySegment copy(MemorySegment frame) {
        return arena.allocate(frame.byteSize()).copyFrom(frame);
    }

    private void writeCapture(Path pcap) throws IOException {
        Path parent = pcap.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (PcapWriter writer = PcapWriter.open(pcap, PcapWriter.TimestampPrecision.NANOSECONDS, 65_535)) {
            long timestampNs = START_NS;
            for (MemorySegment frame : frames) {
                writer.write(timestampNs, frame, 0, (int) frame.byteSize());
                timestampNs += 250_000; // 250 us apart
            }
        }
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
