package io.mtcp4j.driver.tap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library functions the TAP driver calls, as FFM downcalls (one class per native surface,
 * Elasticsearch {@code libs/native} style): a {@code static final MethodHandle} per function, a
 * static wrapper with the C signature, and {@code errno} captured by the call itself
 * ({@link Linker.Option#captureCallState}) into a call-state segment the caller owns. Reading
 * {@code errno} in a later call would be wrong: the JVM makes system calls of its own between
 * two Java statements.
 *
 * <p>Call-state segments: each device queue keeps its own ({@link #newCallState}) for its
 * engine thread's calls, so the per-frame path never looks one up; other threads (set-up,
 * {@code signal()}) take their thread's ({@link #threadCallState()}).
 *
 * <p>Every wrapper returns what the C function returns: {@code -1} on failure with the reason in
 * {@link #errno(MemorySegment)}. Nothing here throws for a failed call, and nothing allocates.
 *
 * <p>Linking native functions and reading a C string are restricted methods: the JVM needs
 * {@code --enable-native-access} for this module (the tests' surefire configuration has it).
 */
@SuppressWarnings("restricted")
final class Libc {
    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    /** The layout of the call state ({@code errno} on Linux). */
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> THREAD_CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    // ---- open(2) flags (x86_64 values; checked against C in TapAbiTest) ----------------------------
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    /** eventfd(2) flags: the same bits as O_NONBLOCK and O_CLOEXEC. */
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    /** poll(2) events. */
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;
    /** socket(2): an AF_INET datagram socket is the handle for the interface ioctls. */
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;

    // ---- errno values (asm-generic/errno-base.h, errno.h) --------------------------------------------
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int E2BIG = 7;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EBADFD = 77;
    static final int EMSGSIZE = 90;
    static final int ENOBUFS = 105;

    /** {@code struct pollfd}: {@code int fd; short events; short revents;}, 8 bytes. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));
    static final long POLLFD_FD = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    static final long POLLFD_EVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    static final long POLLFD_REVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents"));
    /** {@code struct timespec}: {@code time_t tv_sec; long tv_nsec;}, 16 bytes. */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));
    static final long TIMESPEC_SECONDS = TIMESPEC.byteOffset(MemoryLayout.PathElement.groupElement("tv_sec"));
    static final long TIMESPEC_NANOSECONDS = TIMESPEC.byteOffset(MemoryLayout.PathElement.groupElement("tv_nsec"));

    /** {@code int open(const char *path, int flags, ... (mode_t mode))}: open(2). */
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** {@code int close(int fd)}: close(2). */
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** {@code ssize_t read(int fd, void *buf, size_t count)}: read(2). */
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    /** {@code ssize_t write(int fd, const void *buf, size_t count)}: write(2). */
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    /** {@code int ioctl(int fd, unsigned long request, ... (void *argp))}: ioctl(2), pointer argument. */
    private static final MethodHandle IOCTL_POINTER = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** ioctl(2) whose argument is a value ({@code TUNSETOFFLOAD}, {@code TUNSETPERSIST}). */
    private static final MethodHandle IOCTL_VALUE = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** {@code int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout, const sigset_t *mask)}: ppoll(2). */
    private static final MethodHandle PPOLL = downcall("ppoll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    /** {@code int eventfd(unsigned int initval, int flags)}: eventfd(2). */
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** {@code int socket(int domain, int type, int protocol)}: socket(2). */
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** {@code char *strerror(int errnum)}: strerror(3); glibc's is thread-safe for known values. */
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException(
                        "the C library has no " + name + "(): the TAP driver needs Linux with glibc or musl"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A call-state segment for one thread's calls, from {@code arena}. */
    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The calling thread's own call-state segment, for calls off the per-frame path. */
    static MemorySegment threadCallState() {
        return THREAD_CALL_STATE.get();
    }

    /** The {@code errno} the last call that used {@code callState} left there. */
    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** open(2): a file descriptor, or -1. {@code path} is a NUL-terminated string. */
    static int open(MemorySegment callState, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(callState, path, flags, 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** close(2): 0, or -1. */
    static int close(MemorySegment callState, int fd) {
        try {
            return (int) CLOSE.invokeExact(callState, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** read(2): bytes read (0 at end of file), or -1 ({@link #EAGAIN} when a non-blocking fd has nothing). */
    static long read(MemorySegment callState, int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(callState, fd, buffer, count);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** write(2): bytes written, or -1. A TAP fd takes one whole frame per call. */
    static long write(MemorySegment callState, int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(callState, fd, buffer, count);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** ioctl(2) with a pointer argument: usually 0, or -1. */
    static int ioctl(MemorySegment callState, int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL_POINTER.invokeExact(callState, fd, request, argument);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** ioctl(2) with a value argument: usually 0, or -1. */
    static int ioctl(MemorySegment callState, int fd, long request, long value) {
        try {
            return (int) IOCTL_VALUE.invokeExact(callState, fd, request, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * ppoll(2) with no signal mask change: the number of fds with events, 0 on timeout, or -1
     * ({@link #EINTR} when a signal arrived).
     */
    static int ppoll(MemorySegment callState, MemorySegment pollfds, long count, MemorySegment timeout) {
        try {
            return (int) PPOLL.invokeExact(callState, pollfds, count, timeout, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** eventfd(2): a file descriptor, or -1. */
    static int eventfd(MemorySegment callState, int initialValue, int flags) {
        try {
            return (int) EVENTFD.invokeExact(callState, initialValue, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** socket(2): a file descriptor, or -1. */
    static int socket(MemorySegment callState, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(callState, domain, type, protocol);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The C library's text for {@code errno}, e.g. "Operation not permitted". */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code errno} as a person reads it: "EPERM (Operation not permitted)". */
    static String describe(int errno) {
        String name = switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case EBADFD -> "EBADFD";
            case EMSGSIZE -> "EMSGSIZE";
            case ENOBUFS -> "ENOBUFS";
            default -> "errno " + errno;
        };
        return name + " (" + strerror(errno) + ")";
    }
}
