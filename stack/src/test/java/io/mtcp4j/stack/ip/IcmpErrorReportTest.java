package io.mtcp4j.stack.ip;

import static io.mtcp4j.stack.ip.IpFrames.OUR_IP;
import static io.mtcp4j.stack.ip.IpFrames.OUR_IP6;
import static io.mtcp4j.stack.ip.IpFrames.OUR_MAC;
import static io.mtcp4j.stack.ip.IpFrames.REMOTE_IP;
import static io.mtcp4j.stack.ip.IpFrames.REMOTE_IP6;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_IP;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_LINK_LOCAL;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv4Flyweight;
import io.mtcp4j.stack.wire.Icmpv4Message;
import io.mtcp4j.stack.wire.Icmpv6Message;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.Ipv6Header;
import io.mtcp4j.stack.wire.Malformed;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Reading ICMP and ICMPv6 errors about our TCP segments: the quoted four-tuple and sequence number
 * (RFC 792, RFC 4443 2.4, RFC 5927 4.1), the path MTU of "fragmentation needed" (RFC 1191) and
 * "packet too big" (RFC 8201) with its guesses and clamps, and hard versus soft errors
 * (RFC 1122 4.2.3.9).
 */
class IcmpErrorReportTest {
    private static final int LOCAL_PORT = 40000;
    private static final int REMOTE_PORT = 443;
    private static final int SEQUENCE = 0xdead_beef;

    private final FrameParser parser = new FrameParser();
    private final IcmpErrorReport report = new IcmpErrorReport();

    private static byte[] ourSegment() {
        return IpFrames.tcpHeader(LOCAL_PORT, REMOTE_PORT, SEQUENCE);
    }

    /** An ICMPv4 message from a router to us, as received. */
    private IpDrop readIcmpv4(Icmpv4Message message) {
        return read(IpFrames.icmpv4(OUR_MAC, ROUTER_MAC, ROUTER_IP, OUR_IP, message));
    }

    private IpDrop readIcmpv6(Icmpv6Message message) {
        return read(IpFrames.icmpv6(OUR_MAC, ROUTER_MAC, ROUTER_LINK_LOCAL, OUR_IP6, 64, message));
    }

    private IpDrop read(byte[] frame) {
        assertEquals(Malformed.NONE, parser.parse(MemorySegment.ofArray(frame), 0, frame.length, true), "test frame");
        return report.read(parser);
    }

    /** Our 1500-byte TCP datagram to the remote host, as a router quotes it. */
    private static byte[] quotedDatagram(int totalLength, byte[] tcpBytes) {
        return IpFrames.quotedIpv4(Ipv4Flyweight.PROTOCOL_TCP, OUR_IP, REMOTE_IP, totalLength, tcpBytes);
    }

    private static byte[] quotedPacket(byte[] tcpBytes) {
        return IpFrames.quotedIpv6(OUR_IP6, REMOTE_IP6, 1460, List.of(), Ipv6Flyweight.TCP, tcpBytes);
    }

    @Nested
    class FragmentationNeeded {
        @Test
        void namesTheFlowItsSequenceNumberAndTheMtu() {
            assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.fragmentationNeeded(1400, quotedDatagram(1500, ourSegment()))));
            assertEquals(IcmpErrorReport.Kind.PATH_MTU, report.kind());
            assertEquals(Icmpv4Flyweight.TYPE_DESTINATION_UNREACHABLE, report.type());
            assertEquals(Icmpv4Flyweight.CODE_FRAGMENTATION_NEEDED, report.code());
            assertFalse(report.isIpv6());
            assertFalse(report.hardError());
            assertEquals(OUR_IP, report.localIpv4());
            assertEquals(LOCAL_PORT, report.localPort());
            assertEquals(REMOTE_IP, report.remoteIpv4());
            assertEquals(REMOTE_PORT, report.remotePort());
            assertEquals(SEQUENCE, report.sequenceNumber());
            assertEquals(1400, report.reportedMtuBytes());
            assertEquals(1400, report.mtuBytes());
            assertEquals(1360, report.mssBytes(), "1400 - 20 (IPv4) - 20 (TCP)");
        }

        @Test
        void theEightBytesRfc792PromisesAreEnough() {
            assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.fragmentationNeeded(1280,
                    quotedDatagram(1500, IpFrames.prefix(ourSegment(), 8)))));
            assertEquals(LOCAL_PORT, report.localPort());
            assertEquals(SEQUENCE, report.sequenceNumber());
        }

        @Test
        void aRouterThatReportsNoMtuIsAnsweredWithThePlateauBelowTheDatagram() {
            // RFC 1191 5 and 7: MTU 0 from a pre-RFC 1191 router; 1500 -> 1492.
            assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.fragmentationNeeded(0, quotedDatagram(1500, ourSegment()))));
            assertEquals(0, report.reportedMtuBytes());
            assertEquals(1492, report.mtuBytes());
        }

        @Test
        void anMtuNoSmallerThanTheRefusedDatagramIsNotBelievedEither() {
            assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.fragmentationNeeded(1500, quotedDatagram(1500, ourSegment()))));
            assertEquals(1492, report.mtuBytes());
        }

        @Test
        void aTinyMtuIsClampedToTheFloor() {
            assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.fragmentationNeeded(300, quotedDatagram(1500, ourSegment()))));
            assertEquals(300, report.reportedMtuBytes());
            assertEquals(576, report.mtuBytes());
            assertEquals(536, report.mssBytes(), "the RFC 9293 default MSS");
        }

        @Test
        void aLowerConfiguredFloorStillNeverGoesBelow68() {
            IcmpErrorReport lenient = new IcmpErrorReport(IcmpErrorReport.MINIMUM_IPV4_MTU);
            assertEquals(300, lenient.ipv4PathMtu(300, 1500));
            assertEquals(68, lenient.ipv4PathMtu(40, 1500));
            assertEquals(68, lenient.ipv4PathMtu(0, 60), "no plateau below 60: the smallest link");
        }

        @Test
        void theFloorMustBeASaneMtu() {
            assertThrows(IllegalArgumentException.class, () -> new IcmpErrorReport(67));
            assertThrows(IllegalArgumentException.class, () -> new IcmpErrorReport(9000));
        }

        @Test
        void thePlateausAreRfc1191sTable() {
            assertEquals(1492, IcmpErrorReport.plateauBelow(1500));
            assertEquals(1006, IcmpErrorReport.plateauBelow(1492));
            assertEquals(8166, IcmpErrorReport.plateauBelow(9000));
            assertEquals(32000, IcmpErrorReport.plateauBelow(65535));
            assertEquals(508, IcmpErrorReport.plateauBelow(576));
            assertEquals(68, IcmpErrorReport.plateauBelow(69));
            assertEquals(68, IcmpErrorReport.plateauBelow(68));
        }
    }

    @Nested
    class PacketTooBig {
        @Test
        void namesTheFlowAndTheMtu() {
            assertEquals(IpDrop.NONE, readIcmpv6(new Icmpv6Message.PacketTooBig(1400, quotedPacket(ourSegment()))));
            assertEquals(IcmpErrorReport.Kind.PATH_MTU, report.kind());
            assertTrue(report.isIpv6());
            assertEquals(OUR_IP6.high(), report.localHigh());
            assertEquals(OUR_IP6.low(), report.localLow());
            assertEquals(REMOTE_IP6.high(), report.remoteHigh());
            assertEquals(REMOTE_IP6.low(), report.remoteLow());
            assertEquals(LOCAL_PORT, report.localPort());
            assertEquals(REMOTE_PORT, report.remotePort());
            assertEquals(SEQUENCE, report.sequenceNumber());
            assertEquals(1400, report.mtuBytes());
            assertEquals(1340, report.mssBytes(), "1400 - 40 (IPv6) - 20 (TCP)");
        }

        @Test
        void anMtuBelowTheIpv6MinimumIsRaisedTo1280() {
            // RFC 8201 4: never below the IPv6 minimum link MTU.
            assertEquals(IpDrop.NONE, readIcmpv6(new Icmpv6Message.PacketTooBig(576, quotedPacket(ourSegment()))));
            assertEquals(576, report.reportedMtuBytes());
            assertEquals(1280, report.mtuBytes());
            assertEquals(1220, report.mssBytes());
        }

        @Test
        void anMtuBeyondSixteenBitsIsCapped() {
            assertEquals(IpDrop.NONE, readIcmpv6(new Icmpv6Message.PacketTooBig(0xffff_ffffL, quotedPacket(ourSegment()))));
            assertEquals(0xffff_ffffL, report.reportedMtuBytes());
            assertEquals(65535, report.mtuBytes());
        }

        @Test
        void theFlowIsFoundBehindExtensionHeaders() {
            byte[] quote = IpFrames.quotedIpv6(OUR_IP6, REMOTE_IP6, 1468,
                    List.of(new Ipv6Header.Extension(Ipv6Flyweight.DESTINATION_OPTIONS, new byte[6])),
                    Ipv6Flyweight.TCP, ourSegment());
            assertEquals(IpDrop.NONE, readIcmpv6(new Icmpv6Message.PacketTooBig(1300, quote)));
            assertEquals(LOCAL_PORT, report.localPort());
            assertEquals(SEQUENCE, report.sequenceNumber());
        }
    }

    @Nested
    class SoftAndHardErrors {
        private void assertIpv4(int code, boolean hard) {
            assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.destinationUnreachable(code, quotedDatagram(60, ourSegment()))));
            assertEquals(IcmpErrorReport.Kind.UNREACHABLE, report.kind());
            assertEquals(code, report.code());
            assertEquals(hard, report.hardError(), "code " + code);
            assertEquals(0, report.mtuBytes());
            assertEquals(REMOTE_PORT, report.remotePort());
        }

        @Test
        void ipv4ProtocolAndPortUnreachableAreHardNetworkAndHostUnreachableSoft() {
            // RFC 1122 4.2.3.9.
            assertIpv4(Icmpv4Flyweight.CODE_NETWORK_UNREACHABLE, false);
            assertIpv4(Icmpv4Flyweight.CODE_HOST_UNREACHABLE, false);
            assertIpv4(Icmpv4Flyweight.CODE_SOURCE_ROUTE_FAILED, false);
            assertIpv4(Icmpv4Flyweight.CODE_PROTOCOL_UNREACHABLE, true);
            assertIpv4(Icmpv4Flyweight.CODE_PORT_UNREACHABLE, true);
            assertIpv4(Icmpv4Flyweight.CODE_COMMUNICATION_ADMINISTRATIVELY_PROHIBITED, true);
        }

        @Test
        void ipv4TimeExceededAndParameterProblemAreSoft() {
            assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.timeExceeded(0, quotedDatagram(60, ourSegment()))));
            assertEquals(IcmpErrorReport.Kind.TIME_EXCEEDED, report.kind());
            assertFalse(report.hardError());
            Icmpv4Message parameterProblem = new Icmpv4Message(Icmpv4Flyweight.TYPE_PARAMETER_PROBLEM, 0, 0, 8 << 24,
                    quotedDatagram(60, ourSegment())).withComputedChecksum();
            assertEquals(IpDrop.NONE, readIcmpv4(parameterProblem));
            assertEquals(IcmpErrorReport.Kind.PARAMETER_PROBLEM, report.kind());
            assertFalse(report.hardError());
        }

        @Test
        void ipv6PortUnreachableAndProhibitionsAreHardAddressUnreachableSoft() {
            int[][] codeAndHard = {{0, 0}, {1, 1}, {3, 0}, {4, 1}, {5, 1}, {6, 1}};
            for (int[] entry : codeAndHard) {
                assertEquals(IpDrop.NONE, readIcmpv6(new Icmpv6Message.DestinationUnreachable(entry[0], quotedPacket(ourSegment()))));
                assertEquals(IcmpErrorReport.Kind.UNREACHABLE, report.kind());
                assertEquals(entry[1] == 1, report.hardError(), "code " + entry[0]);
            }
        }

        @Test
        void ipv6TimeExceededIsSoftAndAnUnrecognisedNextHeaderHard() {
            assertEquals(IpDrop.NONE, readIcmpv6(new Icmpv6Message.TimeExceeded(0, quotedPacket(ourSegment()))));
            assertEquals(IcmpErrorReport.Kind.TIME_EXCEEDED, report.kind());
            assertFalse(report.hardError());
            assertEquals(IpDrop.NONE, readIcmpv6(new Icmpv6Message.ParameterProblem(1, 0, 6, quotedPacket(ourSegment()))));
            assertEquals(IcmpErrorReport.Kind.PARAMETER_PROBLEM, report.kind());
            assertTrue(report.hardError());
            assertEquals(IpDrop.NONE, readIcmpv6(new Icmpv6Message.ParameterProblem(0, 0, 6, quotedPacket(ourSegment()))));
            assertFalse(report.hardError());
        }
    }

    @Nested
    class Rejected {
        @Test
        void anErrorAboutUdpNamesNoTcpFlow() {
            byte[] udp = IpFrames.quotedIpv4(17, OUR_IP, REMOTE_IP, 100, new byte[8]);
            assertEquals(IpDrop.ICMP_ERROR_NOT_TCP, readIcmpv4(Icmpv4Message.destinationUnreachable(3, udp)));
            byte[] udp6 = IpFrames.quotedIpv6(OUR_IP6, REMOTE_IP6, 100, List.of(), 17, new byte[8]);
            assertEquals(IpDrop.ICMP_ERROR_NOT_TCP, readIcmpv6(new Icmpv6Message.DestinationUnreachable(4, udp6)));
        }

        @Test
        void aQuoteTooShortForPortsAndSequenceIsMalformed() {
            assertEquals(IpDrop.ICMP_ERROR_QUOTE_MALFORMED, readIcmpv4(Icmpv4Message.fragmentationNeeded(1400,
                    quotedDatagram(1500, IpFrames.prefix(ourSegment(), 4)))));
            assertEquals(IpDrop.ICMP_ERROR_QUOTE_MALFORMED, readIcmpv4(Icmpv4Message.fragmentationNeeded(1400,
                    IpFrames.prefix(quotedDatagram(1500, ourSegment()), 16))));
            assertEquals(IpDrop.ICMP_ERROR_QUOTE_MALFORMED, readIcmpv6(new Icmpv6Message.PacketTooBig(1400,
                    quotedPacket(IpFrames.prefix(ourSegment(), 7)))));
        }

        @Test
        void aQuotedLaterFragmentHasNoTcpHeader() {
            byte[] quote = quotedDatagram(1500, ourSegment());
            // Fragment offset 1480 bytes (185 units of 8) in the quoted header's flags/offset word, checksum refreshed.
            MemorySegment segment = MemorySegment.ofArray(quote);
            Ipv4Flyweight ip = new Ipv4Flyweight().wrapForWrite(segment, 0).fragmentOffsetBytes(1480).fillChecksum();
            assertEquals(1480, ip.fragmentOffsetBytes());
            assertEquals(IpDrop.ICMP_ERROR_NOT_TCP, readIcmpv4(Icmpv4Message.destinationUnreachable(1, quote)));
        }

        @Test
        void messagesThatAreNotErrorsForTcpAreIgnored() {
            assertEquals(IpDrop.ICMP_IGNORED_TYPE, readIcmpv4(Icmpv4Message.echoRequest(1, 1, new byte[4])));
            Icmpv4Message sourceQuench = new Icmpv4Message(Icmpv4Flyweight.TYPE_SOURCE_QUENCH, 0, 0, 0,
                    quotedDatagram(60, ourSegment())).withComputedChecksum();
            assertEquals(IpDrop.ICMP_IGNORED_TYPE, readIcmpv4(sourceQuench), "RFC 6633: source quench is ignored");
            Icmpv4Message redirect = new Icmpv4Message(Icmpv4Flyweight.TYPE_REDIRECT, 1, 0, ROUTER_IP,
                    quotedDatagram(60, ourSegment())).withComputedChecksum();
            assertEquals(IpDrop.ICMP_IGNORED_TYPE, readIcmpv4(redirect));
            assertEquals(IpDrop.ICMP_IGNORED_TYPE, readIcmpv6(new Icmpv6Message.EchoRequest(1, 1, new byte[4])));
        }

        @Test
        void aFrameThatIsNotIcmpIsACallerBug() {
            byte[] arp = IpFrames.arp(OUR_MAC, ROUTER_MAC, io.mtcp4j.stack.wire.ArpPacket.request(ROUTER_MAC, ROUTER_IP, OUR_IP));
            assertEquals(Malformed.NONE, parser.parse(MemorySegment.ofArray(arp), 0, arp.length, true));
            assertThrows(IllegalArgumentException.class, () -> report.read(parser));
        }
    }

    @Test
    void theQuotedSequenceNumberMustBeOutstanding() {
        // RFC 5927 4.1: SND.UNA <= SEG.SEQ < SND.NXT, modulo 2^32.
        assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.fragmentationNeeded(1400, quotedDatagram(1500,
                IpFrames.tcpHeader(LOCAL_PORT, REMOTE_PORT, 1000)))));
        assertTrue(report.sequenceInWindow(1000, 2000));
        assertTrue(report.sequenceInWindow(1, 1001));
        assertFalse(report.sequenceInWindow(1001, 2000), "already acknowledged");
        assertFalse(report.sequenceInWindow(500, 1000), "never sent");
        assertFalse(report.sequenceInWindow(1000, 1000), "nothing outstanding");

        assertEquals(IpDrop.NONE, readIcmpv4(Icmpv4Message.fragmentationNeeded(1400, quotedDatagram(1500,
                IpFrames.tcpHeader(LOCAL_PORT, REMOTE_PORT, 0x0000_0005)))));
        assertTrue(report.sequenceInWindow(0xffff_fff0, 0x10), "across the wrap");
        assertFalse(report.sequenceInWindow(0xffff_fff0, 0x5));
    }

    @Test
    void theReportReadsWell() {
        readIcmpv4(Icmpv4Message.fragmentationNeeded(1400, quotedDatagram(1500, ourSegment())));
        assertEquals("IcmpErrorReport[PATH_MTU type 3 code 4 soft 10.0.0.2:40000 -> 192.0.2.80:443 seq 3735928559"
                + " mtu 1400 (reported 1400)]", report.toString());
    }
}
