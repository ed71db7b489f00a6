package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mtcp4j.stack.device.DeviceDrop;
import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.Offload;
import io.mtcp4j.stack.device.WaitHandle;
import io.mtcp4j.stack.wire.ArpFlyweight;
import io.mtcp4j.stack.wire.ArpPacket;
import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.EthernetHeader;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv4Flyweight;
import io.mtcp4j.stack.wire.Icmpv4Message;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv4Header;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpHeader;
import io.mtcp4j.stack.wire.TcpOptionSet;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TAP device against the Linux kernel at frame level: crafted ARP, ICMP and TCP frames go to
 * the kernel through a temporary interface and the kernel's answers come back, every field
 * checked with the stack's parser; checksum offload both ways; the wait handle; errors a person
 * can act on. Needs CAP_NET_ADMIN (skips without it, fails without it under CI=true).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TapDeviceTest {
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(5);

    private TestTap tap;
    private final FrameBatch batch = new FrameBatch();
    private final FrameBatch received = new FrameBatch();
    private final FrameParser parser = new FrameParser();
    private final byte[] lastFrame = new byte[65_536];
    private int lastFlags;

    @AfterEach
    void removeInterface() {
        if (tap != null) {
            tap.close();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** Sends one frame written by {@code writer} (which returns its length) on queue 0, optionally as a partial checksum. */
    private void send(FrameWriter writer, int checksumStart, int checksumOffset) {
        assertEquals(1, tap.device.lend(0, batch, 1));
        MemorySegment buffer = batch.segment(0);
        long offset = batch.offset(0);
        int length = writer.write(buffer, offset);
        batch.length(0, length);
        if (checksumStart > 0) {
            batch.checksumPartial(0, checksumStart, checksumOffset);
        }
        assertEquals(1, tap.device.transmit(0, batch), "the kernel took the frame; drops: " + tap.device.counters());
    }

    private void send(FrameWriter writer) {
        send(writer, 0, 0);
    }

    interface FrameWriter {
        int write(MemorySegment segment, long offset);
    }

    /**
     * Receives on queue 0 (waiting on the wait handle) until a frame parses and matches
     * {@code wanted}; the parser is left on it and its flags in {@link #lastFlags}. Other frames
     * (the kernel's IPv6 router solicitations, MLD reports) are skipped.
     */
    private void expect(String what, Predicate<FrameParser> wanted) {
        long deadline = System.nanoTime() + WAIT_NS;
        WaitHandle waitHandle = tap.device.waitHandle(0);
        while (System.nanoTime() < deadline) {
            int frames = tap.device.receive(0, received);
            for (int i = 0; i < frames; i++) {
                int flags = received.flags(i);
                boolean verify = (flags & (FrameBatch.CHECKSUM_PARTIAL | FrameBatch.CHECKSUM_VERIFIED)) == 0;
                if (parser.parse(received.segment(i), received.offset(i), received.length(i), verify) == Malformed.NONE
                        && wanted.test(parser)) {
                    MemorySegment.copy(received.segment(i), java.lang.foreign.ValueLayout.JAVA_BYTE, received.offset(i),
                            lastFrame, 0, received.length(i));
                    lastFlags = flags;
                    return;
                }
            }
            if (frames == 0) {
                waitHandle.await(deadline - System.nanoTime());
            }
        }
        fail("no " + what + " from the kernel within 5 s; device counters " + tap.device.counters());
    }

    private int arpRequest(MemorySegment segment, long offset) {
        int n = EthernetHeader.untagged(MacAddress.BROADCAST, tap.device.macAddress(), EthernetFlyweight.ETHERTYPE_ARP)
                .writeTo(segment, offset);
        return n + ArpPacket.request(tap.device.macAddress(), tap.stackIpv4Bits(), tap.kernelIpv4Bits())
                .writeTo(segment, offset + n);
    }

    /** Asks the kernel for its MAC address and checks the reply field by field. */
    private void resolveKernel() {
        send(this::arpRequest);
        expect("ARP reply", p -> p.network() == FrameParser.Network.ARP
                && p.arp().operation() == ArpFlyweight.OPERATION_REPLY);
        ArpPacket reply = ArpPacket.from(parser.arp());
        assertEquals(ArpPacket.reply(tap.kernelMac(), tap.kernelIpv4Bits(), tap.device.macAddress(), tap.stackIpv4Bits()),
                reply);
        assertEquals(tap.device.macAddress(), parser.ethernet().destination());
        assertEquals(tap.kernelMac(), parser.ethernet().source());
    }

    // ---- tests --------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "offloads={0}")
    @ValueSource(booleans = {true, false})
    void kernelAnswersArpAndEcho(boolean offloads) {
        tap = TestTap.open(1, offloads);
        assertEquals(offloads, tap.device.supports(Offload.TX_CHECKSUM));
        assertEquals(offloads, tap.device.supports(Offload.RX_CHECKSUM));
        assertTrue(tap.device.notes().isEmpty(), "no offload was refused: " + tap.device.notes());
        resolveKernel();

        byte[] payload = "mtcp4j over TAP, echo me".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Icmpv4Message echo = Icmpv4Message.echoRequest(0x4d54, 7, payload).withComputedChecksum();
        send((segment, offset) -> {
            int n = EthernetHeader.untagged(tap.kernelMac(), tap.device.macAddress(), EthernetFlyweight.ETHERTYPE_IPV4)
                    .writeTo(segment, offset);
            n += Ipv4Header.of(Ipv4Flyweight.PROTOCOL_ICMP, tap.stackIpv4Bits(), tap.kernelIpv4Bits(), echo.length())
                    .writeTo(segment, offset + n);
            return n + echo.writeTo(segment, offset + n);
        });
        expect("echo reply", p -> p.transport() == FrameParser.Transport.ICMPV4
                && p.icmpv4().type() == Icmpv4Flyweight.TYPE_ECHO_REPLY);
        Ipv4Flyweight ip = parser.ipv4();
        assertEquals(tap.kernelIpv4Bits(), ip.source());
        assertEquals(tap.stackIpv4Bits(), ip.destination());
        assertEquals(Ipv4Flyweight.PROTOCOL_ICMP, ip.protocol());
        Icmpv4Message reply = Icmpv4Message.from(parser.icmpv4());
        assertEquals(0x4d54, reply.identifier());
        assertEquals(7, reply.sequenceNumber());
        assertArrayEquals(payload, reply.data());
        assertTrue(parser.ipv4().checksumValid(), "the kernel's IPv4 header checksum verifies");
        if (!offloads) {
            assertEquals(0, lastFlags, "with offloads off, frames carry no checksum flags");
        }
        assertTrue(tap.device.counters().receivedFrames() >= 2);
        assertEquals(2, tap.device.counters().transmittedFrames());
        assertEquals(0, tap.device.counters().totalDrops());
    }

    /**
     * A SYN to a closed kernel port comes back as a RST: proof that the kernel accepted the SYN's
     * checksum, which with offloads the device left partial for the kernel to finish.
     */
    @ParameterizedTest(name = "offloads={0}")
    @ValueSource(booleans = {true, false})
    void kernelAcceptsTcpChecksumsAndAnswersAClosedPortWithRst(boolean offloads) {
        tap = TestTap.open(1, offloads);
        resolveKernel();
        int sourcePort = 40_000;
        int closedPort = 9; // discard: nothing listens on the kernel side of a fresh interface
        int isn = 0x1234_5678;
        int ipBytes = Ipv4Flyweight.MINIMUM_HEADER_LENGTH;
        int tcpStart = EthernetFlyweight.HEADER_LENGTH + ipBytes;
        send((segment, offset) -> {
            int n = EthernetHeader.untagged(tap.kernelMac(), tap.device.macAddress(), EthernetFlyweight.ETHERTYPE_IPV4)
                    .writeTo(segment, offset);
            int tcpBytes = TcpFlyweight.MIN_HEADER_LENGTH;
            n += Ipv4Header.of(Ipv4Flyweight.PROTOCOL_TCP, tap.stackIpv4Bits(), tap.kernelIpv4Bits(), tcpBytes)
                    .writeTo(segment, offset + n);
            long pseudo = Checksum.pseudoHeaderIpv4(tap.stackIpv4Bits(), tap.kernelIpv4Bits(), Ipv4Flyweight.PROTOCOL_TCP, tcpBytes);
            new TcpHeader(sourcePort, closedPort, isn, 0, TcpFlyweight.FLAG_SYN, 64_240, 0, 0, TcpOptionSet.NONE)
                    .writeTo(segment, offset + n);
            long checksumField = offset + n + TcpFlyweight.CHECKSUM_OFFSET;
            if (offloads) {
                io.mtcp4j.stack.wire.NetworkOrder.u16(segment, checksumField, Checksum.fold(pseudo));
            } else {
                long sum = Checksum.add(pseudo, Checksum.sum(segment, offset + n, tcpBytes));
                io.mtcp4j.stack.wire.NetworkOrder.u16(segment, checksumField, Checksum.finish(sum));
            }
            return n + tcpBytes;
        }, offloads ? tcpStart : 0, TcpFlyweight.CHECKSUM_OFFSET);
        expect("RST", p -> p.transport() == FrameParser.Transport.TCP && p.tcp().destinationPort() == sourcePort);
        TcpFlyweight rst = parser.tcp();
        assertEquals(closedPort, rst.sourcePort());
        assertEquals(TcpFlyweight.FLAG_RST | TcpFlyweight.FLAG_ACK, rst.flags(), TcpHeader.flagsText(rst.flags()));
        assertEquals(isn + 1, rst.acknowledgmentNumber(), "RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>");
        assertEquals(0, tap.device.counters().totalDrops());
    }

    @Test
    void checksumPartialIsRefusedWithoutOffload() {
        tap = TestTap.open(1, false);
        assertEquals(1, tap.device.lend(0, batch, 1));
        batch.length(0, arpRequest(batch.segment(0), batch.offset(0)));
        batch.checksumPartial(0, 14, 6);
        assertEquals(0, tap.device.transmit(0, batch));
        assertEquals(1, tap.device.counters().drops(DeviceDrop.OFFLOAD_NOT_ENABLED));
    }

    @Test
    void framesShorterThanAnEthernetHeaderAreDroppedAndCounted() {
        tap = TestTap.open(1, true);
        assertEquals(1, tap.device.lend(0, batch, 1));
        assertEquals(tap.device.maxFrameBytes(), batch.bufferLength(0), "a lent buffer holds the largest frame");
        batch.length(0, 5);
        assertEquals(0, tap.device.transmit(0, batch));
        assertEquals(1, tap.device.counters().drops(DeviceDrop.FRAME_TOO_SHORT));
    }

    @Test
    void aSignalFromAnotherThreadWakesAParkedEngineThroughTheEventfd() throws Exception {
        tap = TestTap.open(2, true);
        TapWaitHandle handle = (TapWaitHandle) tap.device.waitHandle(1);
        assertEquals(tap.device.fileDescriptor(1), handle.fileDescriptor());
        // The kernel's own frames (IPv6 router solicitations, MLD reports) may end a wait too, so
        // the other thread signals until one signal found the engine parked.
        AtomicBoolean done = new AtomicBoolean();
        Thread signaller = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                LockSupport.parkNanos(20_000_000L);
                handle.signal();
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (handle.wakeupsWritten() == 0 && System.nanoTime() < deadline) {
                tap.device.receive(1, received);
                handle.await(TimeUnit.SECONDS.toNanos(30));
            }
        } finally {
            done.set(true);
            signaller.join();
        }
        assertTrue(handle.wakeupsWritten() > 0, "a signal found the engine parked and wrote the eventfd");
        // A signal before the wait makes the next wait return at once, without a system call.
        long written = handle.wakeupsWritten();
        handle.signal();
        long start = System.nanoTime();
        handle.await(TimeUnit.SECONDS.toNanos(30));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(25));
        assertEquals(written, handle.wakeupsWritten());
        // An interrupt ends a wait too, and stays set.
        Thread.currentThread().interrupt();
        handle.await(TimeUnit.SECONDS.toNanos(30));
        assertTrue(Thread.interrupted());
    }

    @Test
    void aFrameFromTheKernelEndsAWait() {
        tap = TestTap.open(1, true);
        WaitHandle handle = tap.device.waitHandle(0);
        send(this::arpRequest);
        long start = System.nanoTime();
        handle.await(TimeUnit.SECONDS.toNanos(30));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(25), "a received frame ended the wait");
        assertTrue(tap.device.receive(0, received) > 0);
    }

    @Test
    void lentBuffersOfAnotherQueueAreRejected() {
        tap = TestTap.open(2, true);
        assertEquals(1, tap.device.lend(0, batch, 1));
        batch.length(0, 60);
        assertThrows(IllegalArgumentException.class, () -> tap.device.transmit(1, batch));
    }

    // ---- errors a person can act on ------------------------------------------------------------------------

    @Test
    void aMissingInterfaceIsReportedWithHowToCreateIt() {
        Privileges.requireNetAdmin();
        String name = TestTap.uniqueName();
        TapException e = assertThrows(TapException.class, () -> TapDevice.open(TapDevice.Options.defaults(name)));
        assertEquals(TapException.Reason.NO_SUCH_DEVICE, e.reason());
        assertTrue(e.getMessage().contains("./mtcp4j net up"), e.getMessage());
        assertFalse(Commands.linkExists(name));
    }

    @Test
    void anInterfaceThatIsNotATapIsRefused() {
        TapException e = assertThrows(TapException.class, () -> TapDevice.open(TapDevice.Options.defaults("lo")));
        assertEquals(TapException.Reason.WRONG_KIND_OF_DEVICE, e.reason());
        assertTrue(e.getMessage().contains("not a TUN/TAP device"), e.getMessage());
    }

    @Test
    void aTunInterfaceIsRefused() {
        Privileges.requireNetAdmin();
        String name = TestTap.uniqueName();
        Commands.check("ip", "tuntap", "add", "dev", name, "mode", "tun");
        try {
            TapException e = assertThrows(TapException.class, () -> TapDevice.open(TapDevice.Options.defaults(name)));
            assertEquals(TapException.Reason.WRONG_KIND_OF_DEVICE, e.reason());
            assertTrue(e.getMessage().contains("TUN (layer 3) device"), e.getMessage());
        } finally {
            Commands.run("ip", "tuntap", "del", "dev", name, "mode", "tun");
            assertFalse(Commands.linkExists(name), "the test's TUN interface was removed");
        }
    }

    @Test
    void aSecondDeviceOnTheSameInterfaceIsBusy() {
        tap = TestTap.open(1, true);
        TapException e = assertThrows(TapException.class,
                () -> TapDevice.open(TapDevice.Options.defaults(tap.name)));
        assertEquals(TapException.Reason.DEVICE_BUSY, e.reason());
        assertTrue(e.getMessage().contains("is in use"), e.getMessage());
        resolveKernel(); // the first device still works: the refused one detached its queue again
    }

    @Test
    void aHeldSingleQueueTapIsBusy() {
        Privileges.requireNetAdmin();
        String name = TestTap.uniqueName();
        Commands.check("ip", "tuntap", "add", "dev", name, "mode", "tap", "vnet_hdr");
        try (TapDevice first = TapDevice.open(TapDevice.Options.defaults(name))) {
            assertFalse(first.createdInterface());
            TapException busy = assertThrows(TapException.class, () -> TapDevice.open(TapDevice.Options.defaults(name)));
            assertEquals(TapException.Reason.DEVICE_BUSY, busy.reason());
            assertEquals(Libc.EBUSY, busy.errno());
            TapException twoQueues = assertThrows(TapException.class,
                    () -> TapDevice.open(TapDevice.Options.defaults(name).withQueues(2)));
            assertEquals(TapException.Reason.WRONG_KIND_OF_DEVICE, twoQueues.reason());
            assertTrue(twoQueues.getMessage().contains("multi-queue"), twoQueues.getMessage());
        } finally {
            Commands.run("ip", "tuntap", "del", "dev", name, "mode", "tap");
            assertFalse(Commands.linkExists(name), "the persistent test interface was removed");
        }
    }

    /** A process without CAP_NET_ADMIN (dropped with setpriv) is told what to do, and nothing is created. */
    @Test
    void aProcessWithoutCapNetAdminIsToldWhatToDo() {
        Privileges.requireNetAdmin();
        Privileges.requireCommand("setpriv", "util-linux");
        String name = TestTap.uniqueName();
        String javaLauncher = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Commands.Result result = Commands.run("setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin", "--",
                javaLauncher, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                OpenProbe.class.getName(), name);
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().startsWith("NO_PERMISSION "), result.toString());
        assertTrue(result.stdout().contains("needs CAP_NET_ADMIN: run as root or grant cap_net_admin"), result.toString());
        assertFalse(Commands.linkExists(name));
    }

    @Test
    void permissionErrorsSayWhatToDo() {
        TapException e = TapDevice.setInterfaceFailed(Libc.EPERM, "mtcp0", TapDevice.InterfaceKind.TAP_MULTI_QUEUE, 0);
        assertEquals(TapException.Reason.NO_PERMISSION, e.reason());
        assertTrue(e.getMessage().contains("needs CAP_NET_ADMIN: run as root or grant cap_net_admin"), e.getMessage());
        TapException open = TapDevice.openFailed(Libc.EACCES);
        assertEquals(TapException.Reason.NO_PERMISSION, open.reason());
        assertTrue(open.getMessage().contains("needs CAP_NET_ADMIN"), open.getMessage());
        TapException missing = TapDevice.openFailed(Libc.ENOENT);
        assertEquals(TapException.Reason.NO_CLONE_DEVICE, missing.reason());
        assertTrue(missing.getMessage().contains("modprobe tun"), missing.getMessage());
        assertNotNull(Libc.describe(Libc.EPERM));
        assertEquals("EPERM (Operation not permitted)", Libc.describe(Libc.EPERM));
    }
}
