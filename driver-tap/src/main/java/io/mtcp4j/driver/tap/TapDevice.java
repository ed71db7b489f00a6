package io.mtcp4j.driver.tap;

import io.mtcp4j.stack.device.DeviceCounters;
import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.device.Offload;
import io.mtcp4j.stack.device.WaitHandle;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.MacAddress;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Linux TAP device as a {@link NetDevice}: the kernel on one side of a virtual Ethernet link,
 * mtcp4j on the other. Opened through {@code /dev/net/tun} with
 * {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE}, one non-blocking file per queue,
 * so engine {@code i} reads and writes its own queue with no lock (see {@link TapQueue}).
 *
 * <h2>The kernel's side</h2>
 * The interface (default {@code mtcp0}) carries the kernel's address; mtcp4j's engines answer
 * for their own addresses on the same subnet with their own MAC address ({@link #macAddress()}),
 * which is not the interface's. {@code ./mtcp4j net up} creates a persistent interface with
 * addresses and this device attaches to it; with {@link Options#create()} the device creates a
 * temporary one when none exists, which disappears when the device closes (tests do this).
 *
 * <h2>Offloads</h2>
 * Every frame carries a {@link VirtioNetHeader}. With {@link Options#offloads()} (the default)
 * the device asks the kernel for checksum offload ({@code TUNSETOFFLOAD TUN_F_CSUM}) and offers
 * {@link Offload#TX_CHECKSUM} and {@link Offload#RX_CHECKSUM}: frames the kernel's own stack
 * sends arrive with {@code NEEDS_CSUM} (as {@link FrameBatch#CHECKSUM_PARTIAL}: they never
 * crossed a wire), frames it verified with {@code DATA_VALID} (as
 * {@link FrameBatch#CHECKSUM_VERIFIED}), and the engine's partial frames leave with
 * {@code NEEDS_CSUM} for the kernel to finish. If the kernel refuses, the device says so once and
 * works without. With offloads off every frame is plain and fully checksummed, both ways (for
 * captures and for comparison). With {@link Options#segmentation()} the device also asks for
 * {@code TUN_F_TSO4 | TUN_F_TSO6} and offers {@link Offload#TSO} and {@link Offload#LARGE_RECEIVE}:
 * super-frames of up to 64 KiB pass both ways with {@code GSO_TCPV4/6} in the vnet header. Off by
 * default, since the engines neither build nor accept super-frames yet.
 *
 * <h2>Steering</h2>
 * The kernel picks the queue of a frame towards user space by its flow table: a flow that mtcp4j
 * sent on queue {@code i} comes back on queue {@code i} (tun's automatic queue selection), other
 * flows by a hash with a secret seed. So {@link #steering()} is unknown; an engine group then
 * owns flows by its software hash and hands frames that land elsewhere to their owner.
 *
 * <h2>Errors</h2>
 * Opening fails with a {@link TapException} whose message says what to do: no permission (needs
 * CAP_NET_ADMIN), no {@code /dev/net/tun}, no such interface (run {@code ./mtcp4j net up}), the
 * interface busy or of the wrong kind. On the frame path nothing throws: refused frames are
 * counted as {@link io.mtcp4j.stack.device.DeviceDrop}s.
 */
public final class TapDevice implements NetDevice {
    private static final System.Logger LOG = System.getLogger(TapDevice.class.getName());
    private static final Path SYS_CLASS_NET = Path.of("/sys/class/net");
    /** The largest MTU a TAP interface accepts (tun's max_mtu). */
    public static final int MAXIMUM_MTU = 65_521;
    public static final int MINIMUM_MTU = 68;
    /** The largest IP packet: the biggest super-frame, headers included, that TSO and GSO move. */
    static final int MAXIMUM_PACKET_BYTES = 65_535;

    /**
     * A TAP device's settings.
     *
     * @param interfaceName       the kernel's interface, 1 to 15 bytes
     * @param queues              queues (one file each), 1 to {@value NetDevice#MAX_QUEUES}
     * @param mtu                 the interface's MTU to set, or {@link #INTERFACE_MTU} to use the one it has
     * @param macAddress          mtcp4j's own MAC address on the link, or {@link #DERIVED_MAC} for one
     *                            derived from the interface name (locally administered, stable)
     * @param offloads            ask for checksum offload (see the class comment)
     * @param create              create a temporary interface when none of that name exists
     * @param transmitBuffers     transmit buffers per queue, at least 1
     * @param transmitQueueLength the interface's {@code txqueuelen} (frames the kernel queues towards
     *                            mtcp4j per queue) to set, or {@link #INTERFACE_QUEUE_LENGTH} to leave it
     * @param segmentation        also offer {@link Offload#TSO} and {@link Offload#LARGE_RECEIVE}
     *                            ({@code TUN_F_TSO4 | TUN_F_TSO6}): 64 KiB TCP super-frames both ways.
     *                            Needs {@code offloads}. Not for today's engines, which neither
     *                            build super-frames nor accept them (they drop large-receive frames
     *                            as {@code UNSUPPORTED_OFFLOAD}); the driver's half of TSO/GSO, tested
     *                            at frame level, ready for when they do
     */
    public record Options(String interfaceName, int queues, int mtu, long macAddress, boolean offloads, boolean create,
                          int transmitBuffers, int transmitQueueLength, boolean segmentation) {
        public static final String DEFAULT_INTERFACE = "mtcp0";
        public static final int INTERFACE_MTU = 0;
        public static final long DERIVED_MAC = -1L;
        public static final int INTERFACE_QUEUE_LENGTH = 0;
        public static final int DEFAULT_TRANSMIT_BUFFERS = 2 * FrameBatch.MAX_FRAMES;

        public Options {
            if (!LinuxTun.validInterfaceName(interfaceName)) {
                throw new IllegalArgumentException("not a Linux interface name (1 to 15 bytes, no '/', ':' or spaces): '"
                        + interfaceName + "'");
            }
            if (queues < 1 || queues > MAX_QUEUES) {
                throw new IllegalArgumentException("queues must be 1 to " + MAX_QUEUES + ": " + queues);
            }
            if (mtu != INTERFACE_MTU && (mtu < MINIMUM_MTU || mtu > MAXIMUM_MTU)) {
                throw new IllegalArgumentException("mtu must be " + MINIMUM_MTU + " to " + MAXIMUM_MTU + ": " + mtu);
            }
            if (macAddress != DERIVED_MAC && (!MacAddress.isValid(macAddress) || MacAddress.isMulticast(macAddress)
                    || macAddress == 0)) {
                throw new IllegalArgumentException("not a unicast 48-bit MAC address: 0x" + Long.toHexString(macAddress));
            }
            if (transmitBuffers < 1 || transmitBuffers > 1 << 16) {
                throw new IllegalArgumentException("transmitBuffers must be 1 to 65536: " + transmitBuffers);
            }
            if (transmitQueueLength < 0) {
                throw new IllegalArgumentException("transmitQueueLength must not be negative: " + transmitQueueLength);
            }
            if (segmentation && !offloads) {
                throw new IllegalArgumentException(
                        "segmentation needs offloads: a super-frame's checksums are finished per segment");
            }
        }

        /** As the canonical constructor, without segmentation offload. */
        public Options(String interfaceName, int queues, int mtu, long macAddress, boolean offloads, boolean create,
                       int transmitBuffers, int transmitQueueLength) {
            this(interfaceName, queues, mtu, macAddress, offloads, create, transmitBuffers, transmitQueueLength, false);
        }

        /** One queue on {@code interfaceName}, its MTU, a derived MAC, offloads on, no creating. */
        public static Options defaults(String interfaceName) {
            return new Options(interfaceName, 1, INTERFACE_MTU, DERIVED_MAC, true, false, DEFAULT_TRANSMIT_BUFFERS,
                    INTERFACE_QUEUE_LENGTH);
        }

        public Options withQueues(int value) {
            return new Options(interfaceName, value, mtu, macAddress, offloads, create, transmitBuffers,
                    transmitQueueLength, segmentation);
        }

        public Options withMtu(int value) {
            return new Options(interfaceName, queues, value, macAddress, offloads, create, transmitBuffers,
                    transmitQueueLength, segmentation);
        }

        public Options withMacAddress(long value) {
            return new Options(interfaceName, queues, mtu, value, offloads, create, transmitBuffers,
                    transmitQueueLength, segmentation);
        }

        public Options withOffloads(boolean value) {
            return new Options(interfaceName, queues, mtu, macAddress, value, create, transmitBuffers,
                    transmitQueueLength, segmentation && value);
        }

        public Options withCreate(boolean value) {
            return new Options(interfaceName, queues, mtu, macAddress, offloads, value, transmitBuffers,
                    transmitQueueLength, segmentation);
        }

        public Options withTransmitBuffers(int value) {
            return new Options(interfaceName, queues, mtu, macAddress, offloads, create, value,
                    transmitQueueLength, segmentation);
        }

        public Options withSegmentation(boolean value) {
            return new Options(interfaceName, queues, mtu, macAddress, offloads, create, transmitBuffers, transmitQueueLength,
                    value);
        }

        public Options withTransmitQueueLength(int value) {
            return new Options(interfaceName, queues, mtu, macAddress, offloads, create, transmitBuffers, value,
                    segmentation);
        }
    }

    private final Options options;
    private final String name;
    private final int mtu;
    private final long macAddress;
    private final Set<Offload> offloads;
    private final boolean created;
    private final List<String> notes;
    private final TapQueue[] queues;
    private final DeviceCounters counters;
    private final Arena arena;
    private volatile boolean closed;

    private TapDevice(Options options, String name, int mtu, long macAddress, Set<Offload> offloads, boolean created,
                      List<String> notes, TapQueue[] queues, DeviceCounters counters, Arena arena) {
        this.options = options;
        this.name = name;
        this.mtu = mtu;
        this.macAddress = macAddress;
        this.offloads = offloads;
        this.created = created;
        this.notes = notes;
        this.queues = queues;
        this.counters = counters;
        this.arena = arena;
    }

    /**
     * Attaches to (or, with {@link Options#create()}, creates) the TAP interface and opens one
     * file per queue.
     *
     * @throws TapException with a message that says what to do, if the device cannot be opened
     */
    public static TapDevice open(Options options) {
        Objects.requireNonNull(options, "options");
        String name = options.interfaceName();
        MemorySegment callState = Libc.threadCallState();
        InterfaceKind kind = InterfaceKind.of(name);
        if (kind == InterfaceKind.ABSENT && !options.create()) {
            throw new TapException(TapException.Reason.NO_SUCH_DEVICE, 0, "no network interface " + name
                    + ": create it with `./mtcp4j net up` (or `ip tuntap add dev " + name
                    + " mode tap multi_queue vnet_hdr`), or set create=true for a temporary one");
        }
        kind.requireUsable(name, options.queues());
        boolean multiQueue = kind != InterfaceKind.TAP_SINGLE_QUEUE;
        int flags = LinuxTun.IFF_TAP | LinuxTun.IFF_NO_PI | LinuxTun.IFF_VNET_HDR | (multiQueue ? LinuxTun.IFF_MULTI_QUEUE : 0);

        Arena arena = Arena.ofShared();
        List<Integer> fds = new ArrayList<>();
        try {
            MemorySegment ifreq = arena.allocate(LinuxTun.IFREQ);
            MemorySegment path = arena.allocateFrom(LinuxTun.CLONE_DEVICE);
            MemorySegment intArgument = arena.allocate(ValueLayout.JAVA_INT);
            for (int q = 0; q < options.queues(); q++) {
                int fd = Libc.open(callState, path, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
                if (fd < 0) {
                    throw openFailed(Libc.errno(callState));
                }
                fds.add(fd);
                LinuxTun.ifreqName(ifreq, name);
                ifreq.set(ValueLayout.JAVA_SHORT, LinuxTun.IFREQ_FLAGS, (short) flags);
                if (Libc.ioctl(callState, fd, LinuxTun.TUNSETIFF, ifreq) < 0) {
                    throw setInterfaceFailed(Libc.errno(callState), name, kind, q);
                }
                intArgument.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.LENGTH);
                if (Libc.ioctl(callState, fd, LinuxTun.TUNSETVNETHDRSZ, intArgument) < 0) {
                    throw systemCall("TUNSETVNETHDRSZ " + VirtioNetHeader.LENGTH, name, Libc.errno(callState));
                }
            }
            boolean created = kind == InterfaceKind.ABSENT;
            int attached = InterfaceKind.attachedQueues(name);
            if (attached > options.queues()) {
                throw new TapException(TapException.Reason.DEVICE_BUSY, 0, "tap " + name + " is in use: it has "
                        + attached + " queues attached and this device opened " + options.queues()
                        + "; another process (another mtcp4j?) holds the rest and would receive part of the traffic."
                        + " Stop it first (`fuser -v /dev/net/tun` lists the processes)");
            }

            List<String> notes = new ArrayList<>();
            EnumSet<Offload> offered = EnumSet.noneOf(Offload.class);
            int fd0 = fds.getFirst();
            if (options.segmentation()) {
                int wanted = LinuxTun.TUN_F_CSUM | LinuxTun.TUN_F_TSO4 | LinuxTun.TUN_F_TSO6;
                if (Libc.ioctl(callState, fd0, LinuxTun.TUNSETOFFLOAD, wanted) == 0) {
                    offered.add(Offload.TSO);
                    offered.add(Offload.LARGE_RECEIVE);
                } else {
                    int errno = Libc.errno(callState);
                    String note = "tap " + name + ": the kernel refused TCP segmentation offload (TUNSETOFFLOAD"
                            + " TUN_F_CSUM|TSO4|TSO6: " + Libc.describe(errno) + "); frames stay within the MTU";
                    notes.add(note);
                    LOG.log(System.Logger.Level.WARNING, note);
                }
            }
            if (options.offloads() && offered.contains(Offload.TSO)) {
                offered.add(Offload.TX_CHECKSUM);
                offered.add(Offload.RX_CHECKSUM);
            } else if (options.offloads()) {
                if (Libc.ioctl(callState, fd0, LinuxTun.TUNSETOFFLOAD, LinuxTun.TUN_F_CSUM) == 0) {
                    offered.add(Offload.TX_CHECKSUM);
                    offered.add(Offload.RX_CHECKSUM);
                } else {
                    int errno = Libc.errno(callState);
                    String note = "tap " + name + ": the kernel refused checksum offload (TUNSETOFFLOAD TUN_F_CSUM: "
                            + Libc.describe(errno) + "); frames move with full checksums in software";
                    notes.add(note);
                    LOG.log(System.Logger.Level.WARNING, note);
                    Libc.ioctl(callState, fd0, LinuxTun.TUNSETOFFLOAD, 0L);
                }
            } else if (Libc.ioctl(callState, fd0, LinuxTun.TUNSETOFFLOAD, 0L) < 0) {
                throw systemCall("TUNSETOFFLOAD 0", name, Libc.errno(callState));
            }

            int mtu = interfaceSettings(name, options, ifreq, callState);
            long mac = options.macAddress() == Options.DERIVED_MAC ? derivedMac(name) : options.macAddress();

            int maxFrameBytes = maxFrameBytes(mtu, offered.contains(Offload.TSO));
            DeviceCounters counters = new DeviceCounters(options.queues());
            TapQueue[] queues = new TapQueue[options.queues()];
            List<Integer> eventFds = new ArrayList<>();
            try {
                for (int q = 0; q < queues.length; q++) {
                    int eventFd = Libc.eventfd(callState, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
                    if (eventFd < 0) {
                        throw systemCall("eventfd", name, Libc.errno(callState));
                    }
                    eventFds.add(eventFd);
                    queues[q] = new TapQueue(q, fds.get(q), eventFd, name, mtu, maxFrameBytes,
                            offered.contains(Offload.RX_CHECKSUM), offered.contains(Offload.TX_CHECKSUM),
                            offered.contains(Offload.TSO), options.transmitBuffers(), counters, arena);
                }
            } catch (RuntimeException e) {
                eventFds.forEach(fd -> Libc.close(callState, fd));
                throw e;
            }
            return new TapDevice(options, name, mtu, mac, Collections.unmodifiableSet(offered), created,
                    List.copyOf(notes), queues, counters, arena);
        } catch (RuntimeException e) {
            fds.forEach(fd -> Libc.close(callState, fd));
            arena.close();
            throw e;
        }
    }

    /** Sets the MTU and queue length if asked, and returns the interface's MTU. */
    private static int interfaceSettings(String name, Options options, MemorySegment ifreq, MemorySegment callState) {
        int socket = Libc.socket(callState, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (socket < 0) {
            throw systemCall("socket(AF_INET, SOCK_DGRAM)", name, Libc.errno(callState));
        }
        try {
            if (options.transmitQueueLength() != Options.INTERFACE_QUEUE_LENGTH) {
                LinuxTun.ifreqName(ifreq, name);
                ifreq.set(ValueLayout.JAVA_INT, LinuxTun.IFREQ_QLEN, options.transmitQueueLength());
                if (Libc.ioctl(callState, socket, LinuxTun.SIOCSIFTXQLEN, ifreq) < 0) {
                    throw systemCall("SIOCSIFTXQLEN " + options.transmitQueueLength(), name, Libc.errno(callState));
                }
            }
            LinuxTun.ifreqName(ifreq, name);
            if (Libc.ioctl(callState, socket, LinuxTun.SIOCGIFMTU, ifreq) < 0) {
                throw systemCall("SIOCGIFMTU", name, Libc.errno(callState));
            }
            int mtu = ifreq.get(ValueLayout.JAVA_INT, LinuxTun.IFREQ_MTU);
            if (options.mtu() != Options.INTERFACE_MTU && options.mtu() != mtu) {
                LinuxTun.ifreqName(ifreq, name);
                ifreq.set(ValueLayout.JAVA_INT, LinuxTun.IFREQ_MTU, options.mtu());
                if (Libc.ioctl(callState, socket, LinuxTun.SIOCSIFMTU, ifreq) < 0) {
                    throw systemCall("SIOCSIFMTU " + options.mtu(), name, Libc.errno(callState));
                }
                mtu = options.mtu();
            }
            return mtu;
        } finally {
            Libc.close(callState, socket);
        }
    }

    /**
     * A stable, locally administered unicast MAC for mtcp4j's end of {@code name}'s link:
     * {@code 02:6d:74} ("mt") and three bytes of the name's hash, never the interface's own.
     */
    static long derivedMac(String name) {
        long mac = 0x02_6d_74_00_00_00L | (name.hashCode() * 0x9E3779B1L & 0xff_ff_ffL);
        long kernelSide = InterfaceKind.interfaceMac(name);
        return mac == kernelSide ? mac ^ 1 : mac;
    }

    // ---- error messages a person can act on --------------------------------------------------------------

    static TapException openFailed(int errno) {
        String cloneDevice = LinuxTun.CLONE_DEVICE;
        return switch (errno) {
            case Libc.ENOENT, Libc.ENODEV, Libc.ENXIO -> new TapException(TapException.Reason.NO_CLONE_DEVICE, errno,
                    "cannot open " + cloneDevice + ": " + Libc.describe(errno) + "; load the tun module (`modprobe tun`)"
                            + " or create the node (`mkdir -p /dev/net && mknod " + cloneDevice + " c 10 200`)");
            case Libc.EACCES, Libc.EPERM -> new TapException(TapException.Reason.NO_PERMISSION, errno,
                    "cannot open " + cloneDevice + ": " + Libc.describe(errno) + ". A TAP device needs CAP_NET_ADMIN:"
                            + " run as root or grant cap_net_admin (`setcap cap_net_admin+ep <java>`), and "
                            + cloneDevice + " must be readable and writable by this user (its mode is "
                            + modeOf(cloneDevice) + ")");
            default -> systemCall("open " + cloneDevice, "(none)", errno);
        };
    }

    static TapException setInterfaceFailed(int errno, String name, InterfaceKind kind, int queue) {
        return switch (errno) {
            case Libc.EPERM, Libc.EACCES -> new TapException(TapException.Reason.NO_PERMISSION, errno,
                    "tap " + name + ": TUNSETIFF was refused (" + Libc.describe(errno) + "): needs CAP_NET_ADMIN:"
                            + " run as root or grant cap_net_admin (`setcap cap_net_admin+ep <java>`), or let root create"
                            + " the interface for this user first: `ip tuntap add dev " + name
                            + " mode tap multi_queue vnet_hdr user $(id -un)`");
            case Libc.EBUSY -> new TapException(TapException.Reason.DEVICE_BUSY, errno,
                    "tap " + name + " is busy (" + Libc.describe(errno) + "): it is a single-queue device and another"
                            + " process has it open; stop that process (`fuser -v /dev/net/tun`)");
            case Libc.E2BIG -> new TapException(TapException.Reason.DEVICE_BUSY, errno,
                    "tap " + name + " has no queue left for queue " + queue + " (" + Libc.describe(errno)
                            + "): a TAP device has at most 256 queues and other processes hold the rest");
            case Libc.EINVAL -> new TapException(TapException.Reason.WRONG_KIND_OF_DEVICE, errno,
                    "tap " + name + ": TUNSETIFF refused the flags (" + Libc.describe(errno) + "); the interface is "
                            + InterfaceKind.of(name).description() + " (was " + kind.description()
                            + "). Recreate it: `./mtcp4j net down && ./mtcp4j net up`");
            default -> systemCall("TUNSETIFF", name, errno);
        };
    }

    static TapException systemCall(String call, String name, int errno) {
        return new TapException(TapException.Reason.SYSTEM_CALL_FAILED, errno,
                "tap " + name + ": " + call + " failed: " + Libc.describe(errno));
    }

    private static String modeOf(String file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(file)));
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    // ---- NetDevice ---------------------------------------------------------------------------------------

    @Override
    public String name() {
        return name;
    }

    @Override
    public int queueCount() {
        return queues.length;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int maxFrameBytes() {
        return maxFrameBytes(mtu, offloads.contains(Offload.TSO));
    }

    /** The MTU plus a tagged Ethernet header, or with segmentation a 64 KiB IP packet plus one. */
    static int maxFrameBytes(int mtu, boolean segmentation) {
        return (segmentation ? Math.max(mtu, MAXIMUM_PACKET_BYTES) : mtu) + EthernetFlyweight.TAGGED_HEADER_LENGTH;
    }

    /** mtcp4j's MAC address on the link (not the kernel interface's). */
    @Override
    public long macAddress() {
        return macAddress;
    }

    @Override
    public Set<Offload> offloads() {
        return offloads;
    }

    @Override
    public int receive(int queue, FrameBatch batch) {
        return queue(queue).receive(batch);
    }

    @Override
    public int lend(int queue, FrameBatch batch, int frames) {
        return queue(queue).lend(batch, frames);
    }

    @Override
    public int transmit(int queue, FrameBatch batch) {
        return queue(queue).transmit(batch);
    }

    @Override
    public WaitHandle waitHandle(int queue) {
        return queue(queue).waitHandle();
    }

    @Override
    public DeviceCounters counters() {
        return counters;
    }

    public Options options() {
        return options;
    }

    /** Whether this device created its interface (a temporary one, gone when the device closes). */
    public boolean createdInterface() {
        return created;
    }

    /** What the device had to settle for at start (an offload the kernel refused), one line each. */
    public List<String> notes() {
        return notes;
    }

    /** The errno of the last failed read on {@code queue} other than EAGAIN, 0 if none; the queue's thread. */
    public int lastReceiveErrno(int queue) {
        return queue(queue).lastReceiveErrno();
    }

    /** The errno of the last write on {@code queue} the kernel refused, 0 if none; the queue's thread. */
    public int lastTransmitErrno(int queue) {
        return queue(queue).lastTransmitErrno();
    }

    /** The file descriptor of {@code queue} (for diagnostics and tests). */
    public int fileDescriptor(int queue) {
        return queue(queue).fileDescriptor();
    }

    /** The eventfd that {@code waitHandle(queue).signal()} writes while the engine is parked. */
    int eventFileDescriptor(int queue) {
        return queue(queue).eventFileDescriptor();
    }

    /**
     * Closes every queue's file and eventfd and frees the frame memory. A temporary interface
     * (created by this device) disappears with its last file; a persistent one stays. Call after
     * the engines have stopped; closing twice does nothing.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        MemorySegment callState = Libc.threadCallState();
        for (TapQueue queue : queues) {
            queue.waitHandle().close();
            Libc.close(callState, queue.fileDescriptor());
            Libc.close(callState, queue.eventFileDescriptor());
        }
        arena.close();
    }

    public boolean isClosed() {
        return closed;
    }

    private TapQueue queue(int queue) {
        if (queue < 0 || queue >= queues.length) {
            throw new IllegalArgumentException("device " + name + " has queues 0 to " + (queues.length - 1) + ": " + queue);
        }
        if (closed) {
            throw new IllegalStateException("device " + name + " is closed");
        }
        return queues[queue];
    }

    @Override
    public String toString() {
        return "TapDevice[" + name + ", " + queues.length + " queues, mtu " + mtu + ", " + MacAddress.format(macAddress)
                + ", offloads " + offloads + (created ? ", temporary" : "") + "]";
    }

    /** What {@code /sys/class/net/<name>} says the interface is, before attaching. */
    enum InterfaceKind {
        ABSENT("absent"),
        TAP_MULTI_QUEUE("a multi-queue TAP device"),
        TAP_SINGLE_QUEUE("a single-queue TAP device"),
        TUN("a TUN (layer 3) device, not a TAP device"),
        NOT_TUN_TAP("not a TUN/TAP device");

        private final String description;

        InterfaceKind(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }

        static InterfaceKind of(String name) {
            Path dir = SYS_CLASS_NET.resolve(name);
            if (!Files.exists(dir)) {
                return ABSENT;
            }
            Path flagsFile = dir.resolve("tun_flags");
            if (!Files.exists(flagsFile)) {
                return NOT_TUN_TAP;
            }
            int flags;
            try {
                flags = Integer.decode(Files.readString(flagsFile).strip());
            } catch (IOException | NumberFormatException e) {
                return NOT_TUN_TAP;
            }
            if ((flags & LinuxTun.IFF_TAP) == 0) {
                return TUN;
            }
            return (flags & LinuxTun.IFF_MULTI_QUEUE) != 0 ? TAP_MULTI_QUEUE : TAP_SINGLE_QUEUE;
        }

        void requireUsable(String name, int queues) {
            switch (this) {
                case TUN, NOT_TUN_TAP -> throw new TapException(TapException.Reason.WRONG_KIND_OF_DEVICE, 0,
                        "interface " + name + " is " + description + "; mtcp4j needs a TAP device: pick another ifname,"
                                + " or remove it and run `./mtcp4j net up`");
                case TAP_SINGLE_QUEUE -> {
                    if (queues > 1) {
                        throw new TapException(TapException.Reason.WRONG_KIND_OF_DEVICE, 0, "interface " + name
                                + " is " + description + " and queues=" + queues + " needs a multi-queue one:"
                                + " recreate it with `./mtcp4j net down && ./mtcp4j net up` (multi_queue), or use queues=1");
                    }
                }
                default -> { }
            }
        }

        /** Queues attached to the interface now (its sysfs {@code queues/rx-*}); at least 1 while it exists. */
        static int attachedQueues(String name) {
            try (Stream<Path> entries = Files.list(SYS_CLASS_NET.resolve(name).resolve("queues"))) {
                return (int) entries.filter(p -> p.getFileName().toString().startsWith("rx-")).count();
            } catch (IOException e) {
                return 0;
            }
        }

        /** The interface's own MAC address, or -1 if unreadable. */
        static long interfaceMac(String name) {
            try {
                return MacAddress.parse(Files.readString(SYS_CLASS_NET.resolve(name).resolve("address")).strip());
            } catch (IOException | IllegalArgumentException e) {
                return -1;
            }
        }
    }
}
