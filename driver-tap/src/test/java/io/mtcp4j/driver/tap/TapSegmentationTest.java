package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mtcp4j.stack.device.DeviceDrop;
import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.Offload;
import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.EthernetHeader;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv4Header;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Header;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.NetworkOrder;
import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpHeader;
import io.mtcp4j.stack.wire.TcpOptionSet;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver's half of TSO/GSO ({@link TapDevice.Options#segmentation()}), at frame level with a
 * hand-made TCP connection to a kernel socket: the kernel's GSO super-frames arrive whole with
 * their segment size, and a 64 KiB super-frame sent with a segmentation request reaches the
 * kernel's socket byte for byte. IPv4 and IPv6. Needs CAP_NET_ADMIN.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TapSegmentationTest {
    private static final int STACK_PORT = 41_000;
    private static final int ISS = 0x1000_0000;
    private static final int KERNEL_SENDS = 256 << 10;

    private TestTap tap;
    private final FrameBatch transmit = new FrameBatch();
    private final FrameBatch received = new FrameBatch();
    private final FrameParser parser = new FrameParser();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void removeInterface() {
        threads.shutdownNow();
        if (tap != null) {
            tap.close();
        }
    }

    private static byte pattern(long streamOffset) {
        return (byte) (streamOffset * 31 + (streamOffset >>> 8));
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void superFramesPassBothWays(boolean ipv6) throws Exception {
        tap = TestTap.open(TapDevice.Options.defaults("unused").withSegmentation(true));
        assertTrue(tap.device.supports(Offload.TSO) && tap.device.supports(Offload.LARGE_RECEIVE), tap.device.notes().toString());
        assertEquals(65_535 + 18, tap.device.maxFrameBytes());
        // The kernel knows mtcp4j's MAC without ARP or neighbour discovery.
        Commands.check("ip", "neigh", "replace", tap.stackAddress(ipv6).getHostAddress(), "lladdr",
                io.mtcp4j.stack.wire.MacAddress.format(tap.device.macAddress()), "dev", tap.name, "nud", "permanent");
        int mss = ipv6 ? 1440 : 1460;
        int headers = EthernetFlyweight.HEADER_LENGTH + (ipv6 ? 40 : 20) + TcpFlyweight.MIN_HEADER_LENGTH;

        java.util.concurrent.CompletableFuture<Integer> expectedBytes = new java.util.concurrent.CompletableFuture<>();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(tap.kernelAddress(ipv6), 0));
            int kernelPort = server.getLocalPort();
            Future<byte[]> kernelSide = threads.submit(() -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(30_000);
                    byte[] data = new byte[KERNEL_SENDS];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = pattern(i);
                    }
                    // Written by another thread: the write blocks, since the hand-made peer acknowledges little.
                    threads.submit(() -> {
                        socket.getOutputStream().write(data);
                        return null;
                    });
                    InputStream in = socket.getInputStream();
                    byte[] got = new byte[expectedBytes.get(30, TimeUnit.SECONDS)];
                    int total = 0;
                    while (total < got.length) {
                        int n = in.read(got, total, got.length - total);
                        if (n < 0) {
                            break;
                        }
                        total += n;
                    }
                    return java.util.Arrays.copyOf(got, total);
                }
            });

            // Handshake by hand: SYN with an MSS option and no window scaling, so at most 64 KiB fly.
            send(ipv6, kernelPort, ISS, 0, TcpFlyweight.FLAG_SYN, 65_535,
                    new TcpOptionSet(mss, TcpOptionSet.ABSENT, false, List.of(), Optional.empty(), List.of()), 0, 0, false);
            expectTcp(kernelPort, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK);
            int kernelIss = parser.tcp().sequenceNumber();
            int kernelWindow = parser.tcp().window();
            assertEquals(ISS + 1, parser.tcp().acknowledgmentNumber());
            send(ipv6, kernelPort, ISS + 1, kernelIss + 1, TcpFlyweight.FLAG_ACK, 65_535, TcpOptionSet.NONE, 0, 0, false);

            // The kernel's data arrives as GSO super-frames: one frame, many segments.
            boolean sawSuperFrame = false;
            long nextByte = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!sawSuperFrame && System.nanoTime() < deadline) {
                int frames = tap.device.receive(0, received);
                for (int i = 0; i < frames; i++) {
                    if (!tcpFrom(i, kernelPort) || parser.tcp().sequenceNumber() != kernelIss + 1 + (int) nextByte) {
                        continue;
                    }
                    int payloadOffset = headers;
                    int payload = received.length(i) - payloadOffset;
                    if (payload <= 0) {
                        continue;
                    }
                    for (int b = 0; b < payload; b++) {
                        byte got = received.segment(i).get(ValueLayout.JAVA_BYTE, received.offset(i) + payloadOffset + b);
                        if (got != pattern(nextByte + b)) {
                            fail("byte " + (nextByte + b) + " of the kernel's stream differs");
                        }
                    }
                    nextByte += payload;
                    if (received.length(i) > tap.device.mtu() + EthernetFlyweight.TAGGED_HEADER_LENGTH) {
                        sawSuperFrame = true;
                        int segmentFlag = ipv6 ? FrameBatch.SEGMENT_TCP_IPV6 : FrameBatch.SEGMENT_TCP_IPV4;
                        assertTrue(received.hasFlags(i, segmentFlag), "a GSO frame is marked: flags " + received.flags(i));
                        assertTrue(received.hasFlags(i, FrameBatch.CHECKSUM_PARTIAL), "and its checksum is partial");
                        assertEquals(mss, received.segmentSize(i), "segment size = the MSS we announced");
                        assertEquals(headers, received.headerLength(i));
                    }
                }
                if (frames == 0) {
                    tap.device.waitHandle(0).await(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
            assertTrue(sawSuperFrame, "the kernel sent a GSO super-frame; " + nextByte + " bytes came in order");

            // One 64 KiB super-frame the other way, cut into segments by the kernel.
            int segments = Math.min(44, kernelWindow / mss);
            int payload = segments * mss;
            assertTrue(segments > 1, "the kernel's window allows a super-frame: " + kernelWindow);
            expectedBytes.complete(payload);
            send(ipv6, kernelPort, ISS + 1, kernelIss + 1 + (int) nextByte, TcpFlyweight.FLAG_ACK | TcpFlyweight.FLAG_PSH,
                    65_535, TcpOptionSet.NONE, payload, mss, true);
            assertEquals(0, tap.device.counters().totalDrops(), tap.device.counters().toString());
            assertEquals(1, tap.device.counters().transmittedFrames() - 2, "one write carried the whole super-frame");
            byte[] got = kernelSide.get(30, TimeUnit.SECONDS);
            assertEquals(payload, got.length, "the kernel's socket read every byte of the super-frame");
            byte[] expected = new byte[got.length];
            for (int b = 0; b < expected.length; b++) {
                expected[b] = (byte) ~pattern(b);
            }
            assertArrayEquals(expected, got, "the kernel's socket read the super-frame's payload intact");
            System.out.println("TAP super-frame: " + segments + " x " + mss + " bytes in one write, kernel window " + kernelWindow);
        }
    }

    @Test
    void superFramesAreRefusedWithoutSegmentationAndChecked() {
        tap = TestTap.open(1, true);
        assertFalse(tap.device.supports(Offload.TSO));
        assertEquals(1500 + 18, tap.device.maxFrameBytes());
        tap.device.lend(0, transmit, 1);
        transmit.length(0, 100).segmentation(0, FrameBatch.SEGMENT_TCP_IPV4, 1460, 54).checksumPartial(0, 34, 16);
        assertEquals(0, tap.device.transmit(0, transmit));
        assertEquals(1, tap.device.counters().drops(DeviceDrop.OFFLOAD_NOT_ENABLED));
    }

    @Test
    void aSuperFrameWithoutAPartialChecksumIsInvalid() {
        tap = TestTap.open(TapDevice.Options.defaults("unused").withSegmentation(true));
        tap.device.lend(0, transmit, 1);
        transmit.length(0, 3000).segmentation(0, FrameBatch.SEGMENT_TCP_IPV4, 1460, 54);
        assertEquals(0, tap.device.transmit(0, transmit));
        assertEquals(1, tap.device.counters().drops(DeviceDrop.INVALID_OFFLOAD_REQUEST));
    }

    @Test
    void headerLengthsOfTcpFrames() {
        MemorySegment frame = MemorySegment.ofArray(new byte[200]);
        EthernetHeader.untagged(1, 2, EthernetFlyweight.ETHERTYPE_IPV4).writeTo(frame, 0);
        Ipv4Header.of(Ipv4Flyweight.PROTOCOL_TCP, 1, 2, 100).writeTo(frame, 14);
        new TcpHeader(1, 2, 0, 0, TcpFlyweight.FLAG_ACK, 100, 0, 0,
                new TcpOptionSet(TcpOptionSet.ABSENT, TcpOptionSet.ABSENT, false, List.of(),
                        Optional.of(new TcpOptionSet.Timestamps(1, 2)), List.of())).writeTo(frame, 34);
        assertEquals(14 + 20 + 32, TapQueue.tcpHeadersLength(frame, 0, 200, false));
        assertEquals(-1, TapQueue.tcpHeadersLength(frame, 0, 200, true), "not IPv6");
        assertEquals(-1, TapQueue.tcpHeadersLength(frame, 0, 40, false), "truncated");
        EthernetHeader.untagged(1, 2, EthernetFlyweight.ETHERTYPE_IPV6).writeTo(frame, 0);
        new Ipv6Header(0, 0, 100, 64, Ipv6Address.parse("fd00::1"), Ipv6Address.parse("fd00::2"), Ipv4Flyweight.PROTOCOL_TCP)
                .writeTo(frame, 14);
        new TcpHeader(1, 2, 0, 0, TcpFlyweight.FLAG_ACK, 100, 0, 0, TcpOptionSet.NONE).writeTo(frame, 54);
        assertEquals(14 + 40 + 20, TapQueue.tcpHeadersLength(frame, 0, 200, true));
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /**
     * Sends a TCP segment from mtcp4j's address and {@link #STACK_PORT}; with {@code segmentSize}
     * a super-frame of {@code payload} bytes (the complement of the kernel's pattern) asking for
     * TSO, its checksum partial over the whole TCP length.
     */
    private void send(boolean ipv6, int kernelPort, int sequence, int acknowledgment, int flags, int window,
                      TcpOptionSet options, int payload, int segmentSize, boolean partial) {
        assertEquals(1, tap.device.lend(0, transmit, 1));
        MemorySegment frame = transmit.segment(0);
        long offset = transmit.offset(0);
        TcpHeader tcp = new TcpHeader(STACK_PORT, kernelPort, sequence, acknowledgment, flags, window, 0, 0, options);
        int tcpLength = tcp.headerLength() + payload;
        int n = EthernetHeader.untagged(tap.kernelMac(), tap.device.macAddress(),
                ipv6 ? EthernetFlyweight.ETHERTYPE_IPV6 : EthernetFlyweight.ETHERTYPE_IPV4).writeTo(frame, offset);
        long pseudo;
        if (ipv6) {
            n += new Ipv6Header(0, 0, tcpLength, 64, Ipv6Address.parse(tap.stackIpv6), Ipv6Address.parse(tap.kernelIpv6),
                    Ipv4Flyweight.PROTOCOL_TCP).writeTo(frame, offset + n);
            pseudo = Checksum.pseudoHeaderIpv6(frame, offset + 14 + 8, frame, offset + 14 + 24, Ipv4Flyweight.PROTOCOL_TCP, tcpLength);
        } else {
            n += Ipv4Header.of(Ipv4Flyweight.PROTOCOL_TCP, tap.stackIpv4Bits(), tap.kernelIpv4Bits(), tcpLength)
                    .writeTo(frame, offset + n);
            pseudo = Checksum.pseudoHeaderIpv4(tap.stackIpv4Bits(), tap.kernelIpv4Bits(), Ipv4Flyweight.PROTOCOL_TCP, tcpLength);
        }
        int tcpStart = n;
        n += tcp.writeTo(frame, offset + n);
        for (int b = 0; b < payload; b++) {
            frame.set(ValueLayout.JAVA_BYTE, offset + n + b, (byte) ~pattern(b));
        }
        n += payload;
        long field = offset + tcpStart + TcpFlyweight.CHECKSUM_OFFSET;
        if (partial) {
            NetworkOrder.u16(frame, field, Checksum.fold(pseudo));
            transmit.checksumPartial(0, tcpStart, TcpFlyweight.CHECKSUM_OFFSET);
        } else {
            NetworkOrder.u16(frame, field, Checksum.finish(Checksum.add(pseudo, Checksum.sum(frame, offset + tcpStart, tcpLength))));
        }
        transmit.length(0, n);
        if (segmentSize > 0) {
            transmit.segmentation(0, ipv6 ? FrameBatch.SEGMENT_TCP_IPV6 : FrameBatch.SEGMENT_TCP_IPV4, segmentSize, tcpStart + 20);
        }
        assertEquals(1, tap.device.transmit(0, transmit), "sent; " + tap.device.counters());
    }

    /** Whether received frame {@code i} parses as TCP from the kernel's port to ours (the parser then points at it). */
    private boolean tcpFrom(int i, int kernelPort) {
        int flags = received.flags(i);
        boolean verify = (flags & (FrameBatch.CHECKSUM_PARTIAL | FrameBatch.CHECKSUM_VERIFIED)) == 0;
        return parser.parse(received.segment(i), received.offset(i), received.length(i), verify) == Malformed.NONE
                && parser.transport() == FrameParser.Transport.TCP
                && parser.tcp().sourcePort() == kernelPort && parser.tcp().destinationPort() == STACK_PORT;
    }

    private void expectTcp(int kernelPort, int flags) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            int frames = tap.device.receive(0, received);
            for (int i = 0; i < frames; i++) {
                if (tcpFrom(i, kernelPort) && parser.tcp().flags() == flags) {
                    return;
                }
            }
            if (frames == 0) {
                tap.device.waitHandle(0).await(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        fail("no TCP " + TcpHeader.flagsText(flags) + " from the kernel within 5 s; " + tap.device.counters());
    }
}
