package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The struct layouts and constants the driver writes by hand ({@link LinuxTun}, {@link Libc},
 * {@link VirtioNetHeader}) against the kernel and C library headers of this machine: a C probe
 * compiled with gcc prints {@code sizeof}, {@code offsetof} and every constant, and each must
 * equal the Java value. Needs gcc (skips without it, fails without it under CI=true); needs no
 * privilege.
 */
class TapAbiTest {
    /** Each line: the C expression the probe prints, and the Java value it must equal. */
    private static final Map<String, Long> EXPECTED = new LinkedHashMap<>();

    static {
        // struct ifreq
        EXPECTED.put("sizeof(struct ifreq)", LinuxTun.IFREQ.byteSize());
        EXPECTED.put("IFNAMSIZ", (long) LinuxTun.IFNAMSIZ);
        EXPECTED.put("offsetof(struct ifreq, ifr_name)", LinuxTun.IFREQ_NAME);
        EXPECTED.put("offsetof(struct ifreq, ifr_flags)", LinuxTun.IFREQ_FLAGS);
        EXPECTED.put("offsetof(struct ifreq, ifr_mtu)", LinuxTun.IFREQ_MTU);
        EXPECTED.put("offsetof(struct ifreq, ifr_qlen)", LinuxTun.IFREQ_QLEN);
        EXPECTED.put("sizeof(((struct ifreq *)0)->ifr_flags)", 2L);
        EXPECTED.put("sizeof(((struct ifreq *)0)->ifr_mtu)", 4L);
        // struct virtio_net_hdr
        EXPECTED.put("sizeof(struct virtio_net_hdr)", (long) VirtioNetHeader.LENGTH);
        EXPECTED.put("sizeof(struct virtio_net_hdr_mrg_rxbuf)", (long) VirtioNetHeader.MERGEABLE_LENGTH);
        EXPECTED.put("offsetof(struct virtio_net_hdr, flags)", (long) VirtioNetHeader.FLAGS_OFFSET);
        EXPECTED.put("offsetof(struct virtio_net_hdr, gso_type)", (long) VirtioNetHeader.GSO_TYPE_OFFSET);
        EXPECTED.put("offsetof(struct virtio_net_hdr, hdr_len)", (long) VirtioNetHeader.HEADER_LENGTH_OFFSET);
        EXPECTED.put("offsetof(struct virtio_net_hdr, gso_size)", (long) VirtioNetHeader.GSO_SIZE_OFFSET);
        EXPECTED.put("offsetof(struct virtio_net_hdr, csum_start)", (long) VirtioNetHeader.CHECKSUM_START_OFFSET);
        EXPECTED.put("offsetof(struct virtio_net_hdr, csum_offset)", (long) VirtioNetHeader.CHECKSUM_OFFSET_OFFSET);
        EXPECTED.put("VIRTIO_NET_HDR_F_NEEDS_CSUM", (long) VirtioNetHeader.F_NEEDS_CSUM);
        EXPECTED.put("VIRTIO_NET_HDR_F_DATA_VALID", (long) VirtioNetHeader.F_DATA_VALID);
        EXPECTED.put("VIRTIO_NET_HDR_F_RSC_INFO", (long) VirtioNetHeader.F_RSC_INFO);
        EXPECTED.put("VIRTIO_NET_HDR_GSO_NONE", (long) VirtioNetHeader.GSO_NONE);
        EXPECTED.put("VIRTIO_NET_HDR_GSO_TCPV4", (long) VirtioNetHeader.GSO_TCPV4);
        EXPECTED.put("VIRTIO_NET_HDR_GSO_UDP", (long) VirtioNetHeader.GSO_UDP);
        EXPECTED.put("VIRTIO_NET_HDR_GSO_TCPV6", (long) VirtioNetHeader.GSO_TCPV6);
        EXPECTED.put("VIRTIO_NET_HDR_GSO_ECN", (long) VirtioNetHeader.GSO_ECN);
        // TUNSETIFF flags and ioctls
        EXPECTED.put("IFF_TUN", (long) LinuxTun.IFF_TUN);
        EXPECTED.put("IFF_TAP", (long) LinuxTun.IFF_TAP);
        EXPECTED.put("IFF_NAPI", (long) LinuxTun.IFF_NAPI);
        EXPECTED.put("IFF_MULTI_QUEUE", (long) LinuxTun.IFF_MULTI_QUEUE);
        EXPECTED.put("IFF_ATTACH_QUEUE", (long) LinuxTun.IFF_ATTACH_QUEUE);
        EXPECTED.put("IFF_DETACH_QUEUE", (long) LinuxTun.IFF_DETACH_QUEUE);
        EXPECTED.put("IFF_PERSIST", (long) LinuxTun.IFF_PERSIST);
        EXPECTED.put("IFF_NO_PI", (long) LinuxTun.IFF_NO_PI);
        EXPECTED.put("IFF_ONE_QUEUE", (long) LinuxTun.IFF_ONE_QUEUE);
        EXPECTED.put("IFF_VNET_HDR", (long) LinuxTun.IFF_VNET_HDR);
        EXPECTED.put("IFF_TUN_EXCL", (long) LinuxTun.IFF_TUN_EXCL);
        EXPECTED.put("IFF_UP", (long) LinuxTun.IFF_UP);
        EXPECTED.put("TUNSETIFF", LinuxTun.TUNSETIFF);
        EXPECTED.put("TUNSETPERSIST", LinuxTun.TUNSETPERSIST);
        EXPECTED.put("TUNGETFEATURES", LinuxTun.TUNGETFEATURES);
        EXPECTED.put("TUNSETOFFLOAD", LinuxTun.TUNSETOFFLOAD);
        EXPECTED.put("TUNGETIFF", LinuxTun.TUNGETIFF);
        EXPECTED.put("TUNGETVNETHDRSZ", LinuxTun.TUNGETVNETHDRSZ);
        EXPECTED.put("TUNSETVNETHDRSZ", LinuxTun.TUNSETVNETHDRSZ);
        EXPECTED.put("TUNSETQUEUE", LinuxTun.TUNSETQUEUE);
        EXPECTED.put("SIOCGIFFLAGS", LinuxTun.SIOCGIFFLAGS);
        EXPECTED.put("SIOCGIFMTU", LinuxTun.SIOCGIFMTU);
        EXPECTED.put("SIOCSIFMTU", LinuxTun.SIOCSIFMTU);
        EXPECTED.put("SIOCGIFTXQLEN", LinuxTun.SIOCGIFTXQLEN);
        EXPECTED.put("SIOCSIFTXQLEN", LinuxTun.SIOCSIFTXQLEN);
        EXPECTED.put("TUN_F_CSUM", (long) LinuxTun.TUN_F_CSUM);
        EXPECTED.put("TUN_F_TSO4", (long) LinuxTun.TUN_F_TSO4);
        EXPECTED.put("TUN_F_TSO6", (long) LinuxTun.TUN_F_TSO6);
        EXPECTED.put("TUN_F_TSO_ECN", (long) LinuxTun.TUN_F_TSO_ECN);
        EXPECTED.put("TUN_F_UFO", (long) LinuxTun.TUN_F_UFO);
        // libc
        EXPECTED.put("O_RDWR", (long) Libc.O_RDWR);
        EXPECTED.put("O_NONBLOCK", (long) Libc.O_NONBLOCK);
        EXPECTED.put("O_CLOEXEC", (long) Libc.O_CLOEXEC);
        EXPECTED.put("EFD_NONBLOCK", (long) Libc.EFD_NONBLOCK);
        EXPECTED.put("EFD_CLOEXEC", (long) Libc.EFD_CLOEXEC);
        EXPECTED.put("POLLIN", (long) Libc.POLLIN);
        EXPECTED.put("POLLERR", (long) Libc.POLLERR);
        EXPECTED.put("POLLHUP", (long) Libc.POLLHUP);
        EXPECTED.put("POLLNVAL", (long) Libc.POLLNVAL);
        EXPECTED.put("AF_INET", (long) Libc.AF_INET);
        EXPECTED.put("SOCK_DGRAM", (long) Libc.SOCK_DGRAM);
        EXPECTED.put("SOCK_CLOEXEC", (long) Libc.SOCK_CLOEXEC);
        EXPECTED.put("sizeof(struct pollfd)", Libc.POLLFD.byteSize());
        EXPECTED.put("offsetof(struct pollfd, fd)", Libc.POLLFD_FD);
        EXPECTED.put("offsetof(struct pollfd, events)", Libc.POLLFD_EVENTS);
        EXPECTED.put("offsetof(struct pollfd, revents)", Libc.POLLFD_REVENTS);
        EXPECTED.put("sizeof(struct timespec)", Libc.TIMESPEC.byteSize());
        EXPECTED.put("offsetof(struct timespec, tv_sec)", Libc.TIMESPEC_SECONDS);
        EXPECTED.put("offsetof(struct timespec, tv_nsec)", Libc.TIMESPEC_NANOSECONDS);
        EXPECTED.put("sizeof(nfds_t)", 8L);
        EXPECTED.put("sizeof(ssize_t)", 8L);
        EXPECTED.put("sizeof(unsigned long)", 8L);
        EXPECTED.put("EPERM", (long) Libc.EPERM);
        EXPECTED.put("ENOENT", (long) Libc.ENOENT);
        EXPECTED.put("EINTR", (long) Libc.EINTR);
        EXPECTED.put("EIO", (long) Libc.EIO);
        EXPECTED.put("ENXIO", (long) Libc.ENXIO);
        EXPECTED.put("E2BIG", (long) Libc.E2BIG);
        EXPECTED.put("EBADF", (long) Libc.EBADF);
        EXPECTED.put("EAGAIN", (long) Libc.EAGAIN);
        EXPECTED.put("ENOMEM", (long) Libc.ENOMEM);
        EXPECTED.put("EACCES", (long) Libc.EACCES);
        EXPECTED.put("EFAULT", (long) Libc.EFAULT);
        EXPECTED.put("EBUSY", (long) Libc.EBUSY);
        EXPECTED.put("ENODEV", (long) Libc.ENODEV);
        EXPECTED.put("EINVAL", (long) Libc.EINVAL);
        EXPECTED.put("EBADFD", (long) Libc.EBADFD);
        EXPECTED.put("EMSGSIZE", (long) Libc.EMSGSIZE);
        EXPECTED.put("ENOBUFS", (long) Libc.ENOBUFS);
    }

    private static Map<String, Long> probed;

    @BeforeAll
    static void compileAndRunProbe(@TempDir Path dir) throws IOException, InterruptedException {
        if (!Privileges.onPath("gcc")) {
            if (Privileges.onCi()) {
                fail("CI=true, so the ABI check must run, but gcc is not installed");
            }
            Assumptions.abort("skipped: the ABI check compiles a C probe and gcc is not installed (with CI=true it fails instead)");
        }
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <errno.h>
                #include <fcntl.h>
                #include <poll.h>
                #include <time.h>
                #include <sys/types.h>
                #include <sys/eventfd.h>
                #include <sys/socket.h>
                #include <sys/ioctl.h>
                #include <net/if.h>
                #include <linux/sockios.h>
                #include <linux/if_tun.h>
                #include <linux/virtio_net.h>
                #define P(x) printf("%s=%llu\\n", #x, (unsigned long long) (x))
                int main(void) {
                """);
        for (String expression : EXPECTED.keySet()) {
            c.append("    P(").append(expression).append(");\n");
        }
        c.append("    return 0;\n}\n");
        Path source = dir.resolve("tap_abi_probe.c");
        Path binary = dir.resolve("tap_abi_probe");
        Files.writeString(source, c);
        Commands.check("gcc", "-std=gnu11", "-Wall", "-o", binary.toString(), source.toString());
        probed = new TreeMap<>();
        for (String line : Commands.check(binary.toString()).split("\n")) {
            int eq = line.lastIndexOf('=');
            probed.put(line.substring(0, eq), Long.parseUnsignedLong(line.substring(eq + 1)));
        }
    }

    @Test
    void everyLayoutAndConstantMatchesTheCHeaders() {
        List<String> wrong = new ArrayList<>();
        EXPECTED.forEach((expression, javaValue) -> {
            Long cValue = probed.get(expression);
            if (!javaValue.equals(cValue)) {
                wrong.add(expression + ": C says " + cValue + ", Java has " + javaValue);
            }
        });
        assertEquals(EXPECTED.size(), probed.size(), "the probe printed every expression");
        assertTrue(wrong.isEmpty(), "mismatches:\n  " + String.join("\n  ", wrong));
    }

    @Test
    void theFactsFileAgrees() {
        // /work/shared/LINUX-DEVICES.md, measured on this kind of machine: ifreq 40 bytes, flags @16,
        // vnet header 10 bytes (12 with num_buffers).
        assertEquals(40, LinuxTun.IFREQ.byteSize());
        assertEquals(16, LinuxTun.IFREQ_FLAGS);
        assertEquals(0x400454ca, LinuxTun.TUNSETIFF);
        assertEquals(0x400454d0, LinuxTun.TUNSETOFFLOAD);
        assertEquals(0x400454d8, LinuxTun.TUNSETVNETHDRSZ);
        assertEquals(0x400454d9, LinuxTun.TUNSETQUEUE);
        assertEquals(10, VirtioNetHeader.LENGTH);
    }
}
