package io.mtcp4j.driver.tap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's TUN/TAP interface as C defines it ({@code linux/if_tun.h}, {@code linux/if.h},
 * {@code linux/sockios.h}), written once here for x86_64 and checked against a C probe compiled
 * from the real headers by {@code TapAbiTest}.
 *
 * <h2>struct ifreq (40 bytes)</h2>
 * <pre>
 *  0                                              16                                   40
 * +-----------------------------------------------+------------------------------------+
 * | ifr_name: char[IFNAMSIZ], NUL-terminated      | union ifr_ifru: ifr_flags (short), |
 * |                                               |   ifr_mtu, ifr_qlen (int), ...     |
 * +-----------------------------------------------+------------------------------------+
 * </pre>
 * {@code TUNSETIFF} reads the name and the flags ({@code IFF_TAP | IFF_NO_PI | ...}) and writes
 * back the name the kernel chose; {@code SIOCGIFMTU}/{@code SIOCSIFMTU} use {@code ifr_mtu},
 * {@code SIOCGIFTXQLEN}/{@code SIOCSIFTXQLEN} use {@code ifr_qlen}.
 */
final class LinuxTun {
    private LinuxTun() {}

    /** The clone device: each open gives a file that {@code TUNSETIFF} attaches to one queue of a device. */
    static final String CLONE_DEVICE = "/dev/net/tun";

    // ---- ifr_flags for TUNSETIFF ------------------------------------------------------------------------
    static final int IFF_TUN = 0x0001;
    static final int IFF_TAP = 0x0002;
    static final int IFF_NAPI = 0x0010;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final int IFF_ATTACH_QUEUE = 0x0200;
    static final int IFF_DETACH_QUEUE = 0x0400;
    static final int IFF_PERSIST = 0x0800;
    /** No 4-byte packet information prefix: frames start with the vnet header (or the Ethernet header). */
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_ONE_QUEUE = 0x2000;
    /** A {@code virtio_net_hdr} before every frame, both ways. */
    static final int IFF_VNET_HDR = 0x4000;
    static final int IFF_TUN_EXCL = 0x8000;
    /** {@code linux/if.h}: the interface is administratively up. */
    static final int IFF_UP = 0x1;

    // ---- ioctl requests (_IOW('T', n, int) = 0x40045400 | n) ------------------------------------------
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETPERSIST = 0x400454cbL;
    static final long TUNGETFEATURES = 0x800454cfL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNGETIFF = 0x800454d2L;
    static final long TUNGETVNETHDRSZ = 0x800454d7L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final long TUNSETQUEUE = 0x400454d9L;
    /** Interface ioctls on any socket ({@code linux/sockios.h}). */
    static final long SIOCGIFFLAGS = 0x8913L;
    static final long SIOCGIFMTU = 0x8921L;
    static final long SIOCSIFMTU = 0x8922L;
    static final long SIOCGIFTXQLEN = 0x8942L;
    static final long SIOCSIFTXQLEN = 0x8943L;

    // ---- TUNSETOFFLOAD bits: what user space accepts from the kernel ---------------------------------
    /** Frames may arrive with a partial checksum ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}). */
    static final int TUN_F_CSUM = 0x01;
    /** IPv4 TCP super-frames may arrive ({@code VIRTIO_NET_HDR_GSO_TCPV4}); needs {@link #TUN_F_CSUM}. */
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_TSO_ECN = 0x08;
    static final int TUN_F_UFO = 0x10;

    // ---- struct ifreq -----------------------------------------------------------------------------------
    /** {@code IFNAMSIZ}: interface names are at most 15 bytes and a NUL. */
    static final int IFNAMSIZ = 16;
    static final StructLayout IFREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(IFNAMSIZ, JAVA_BYTE).withName("ifr_name"),
            MemoryLayout.unionLayout(
                    JAVA_SHORT.withName("ifr_flags"),
                    JAVA_INT.withName("ifr_mtu"),
                    JAVA_INT.withName("ifr_qlen"),
                    MemoryLayout.sequenceLayout(24, JAVA_BYTE).withName("ifr_raw")).withName("ifr_ifru"));
    static final long IFREQ_NAME = IFREQ.byteOffset(MemoryLayout.PathElement.groupElement("ifr_name"));
    static final long IFREQ_FLAGS = IFREQ.byteOffset(
            MemoryLayout.PathElement.groupElement("ifr_ifru"), MemoryLayout.PathElement.groupElement("ifr_flags"));
    static final long IFREQ_MTU = IFREQ.byteOffset(
            MemoryLayout.PathElement.groupElement("ifr_ifru"), MemoryLayout.PathElement.groupElement("ifr_mtu"));
    static final long IFREQ_QLEN = IFREQ.byteOffset(
            MemoryLayout.PathElement.groupElement("ifr_ifru"), MemoryLayout.PathElement.groupElement("ifr_qlen"));

    /** Writes {@code name} NUL-terminated into an ifreq's name field and zeroes the rest of the struct. */
    static void ifreqName(MemorySegment ifreq, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than " + (IFNAMSIZ - 1) + " bytes");
        }
        ifreq.fill((byte) 0);
        MemorySegment.copy(bytes, 0, ifreq, JAVA_BYTE, IFREQ_NAME, bytes.length);
    }

    /** The NUL-terminated name in an ifreq. */
    static String ifreqName(MemorySegment ifreq) {
        return ifreq.asSlice(IFREQ_NAME, IFNAMSIZ).getString(0, StandardCharsets.US_ASCII);
    }

    /** Whether {@code name} is a valid Linux interface name: 1 to 15 bytes, no '/', ':' or white space. */
    static boolean validInterfaceName(String name) {
        if (name == null || name.isEmpty() || name.length() >= IFNAMSIZ || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
                return false;
            }
        }
        return true;
    }
}
