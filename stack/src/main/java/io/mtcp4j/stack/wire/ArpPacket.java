package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * The fields of an Ethernet/IPv4 ARP packet as a value, for tests, debugging and building packets
 * off the per-packet path (the ARP cache's requests and replies are rare). The type and length
 * fields are implied: {@link #writeTo} writes Ethernet, IPv4, 6 and 4.
 *
 * @param operation {@link ArpFlyweight#OPERATION_REQUEST} or {@link ArpFlyweight#OPERATION_REPLY}
 *     (any 16-bit value, so that tests can build unsupported ones)
 * @param senderMac low 48 bits
 * @param senderIp raw IPv4 address bits
 * @param targetMac low 48 bits; zero in a request
 * @param targetIp raw IPv4 address bits
 */
public record ArpPacket(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
    public ArpPacket {
        if (operation < 0 || operation > 0xffff) {
            throw new IllegalArgumentException("ARP operation is 16 bits: " + operation);
        }
        if (!MacAddress.isValid(senderMac) || !MacAddress.isValid(targetMac)) {
            throw new IllegalArgumentException("MAC addresses have 48 bits: sender "
                    + Long.toHexString(senderMac) + ", target " + Long.toHexString(targetMac));
        }
    }

    /** "Who has {@code targetIp}? Tell {@code senderIp}": sent to the broadcast address. */
    public static ArpPacket request(long senderMac, int senderIp, int targetIp) {
        return new ArpPacket(ArpFlyweight.OPERATION_REQUEST, senderMac, senderIp, MacAddress.ZERO, targetIp);
    }

    /** "{@code senderIp} is at {@code senderMac}", to the one who asked. */
    public static ArpPacket reply(long senderMac, int senderIp, long targetMac, int targetIp) {
        return new ArpPacket(ArpFlyweight.OPERATION_REPLY, senderMac, senderIp, targetMac, targetIp);
    }

    /**
     * A gratuitous ARP announcing that {@code ip} is at {@code mac}, in the request form RFC 5227 2.3
     * recommends (an "ARP announcement"): sender and target protocol address both {@code ip}, target
     * hardware address zero. Sent to the broadcast address when an interface comes up or moves.
     */
    public static ArpPacket gratuitous(long mac, int ip) {
        return new ArpPacket(ArpFlyweight.OPERATION_REQUEST, mac, ip, MacAddress.ZERO, ip);
    }

    /**
     * An address conflict probe (RFC 5227 2.1.1): a request for {@code candidateIp} with sender
     * address 0.0.0.0, so that no cache learns a binding from it.
     */
    public static ArpPacket probe(long mac, int candidateIp) {
        return new ArpPacket(ArpFlyweight.OPERATION_REQUEST, mac, Ipv4Address.ANY, MacAddress.ZERO, candidateIp);
    }

    /** The reply a host owning this request's target address, at {@code ownMac}, sends back (RFC 826 "Packet Reception"). */
    public ArpPacket answer(long ownMac) {
        return reply(ownMac, targetIp, senderMac, senderIp);
    }

    public static ArpPacket from(ArpFlyweight arp) {
        return new ArpPacket(arp.operation(), arp.senderMac(), arp.senderIp(), arp.targetMac(), arp.targetIp());
    }

    /** Writes the packet at {@code offset}; returns {@link ArpFlyweight#LENGTH}. */
    public int writeTo(MemorySegment segment, long offset) {
        new ArpFlyweight().wrapForWrite(segment, offset)
                .ethernetIpv4()
                .operation(operation)
                .senderMac(senderMac)
                .senderIp(senderIp)
                .targetMac(targetMac)
                .targetIp(targetIp);
        return ArpFlyweight.LENGTH;
    }

    public boolean isRequest() {
        return operation == ArpFlyweight.OPERATION_REQUEST;
    }

    public boolean isReply() {
        return operation == ArpFlyweight.OPERATION_REPLY;
    }

    /** Sender and target protocol address equal: an announcement (see {@link ArpFlyweight#isGratuitous()}). */
    public boolean isGratuitous() {
        return senderIp == targetIp;
    }

    @Override
    public String toString() {
        String what = switch (operation) {
            case ArpFlyweight.OPERATION_REQUEST -> "request who-has " + Ipv4Address.format(targetIp)
                    + " tell " + Ipv4Address.format(senderIp);
            case ArpFlyweight.OPERATION_REPLY -> "reply " + Ipv4Address.format(senderIp) + " is-at "
                    + MacAddress.format(senderMac);
            default -> "operation " + operation + " sender " + Ipv4Address.format(senderIp);
        };
        return "ArpPacket[" + what + ", sender " + MacAddress.format(senderMac) + "/" + Ipv4Address.format(senderIp)
                + ", target " + MacAddress.format(targetMac) + "/" + Ipv4Address.format(targetIp) + "]";
    }
}
