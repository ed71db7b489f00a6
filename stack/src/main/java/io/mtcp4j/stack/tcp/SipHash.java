package io.mtcp4j.stack.tcp;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed 64-bit
 * hash of a byte string, used here as the keyed function F of RFC 6528 initial sequence numbers
 * and as the MAC of SYN cookies.
 *
 * <p>An instance is an incremental hasher: {@link #addInt}, {@link #addLong} and {@link #addByte}
 * append bytes to the message, {@link #finish()} returns the hash and resets the instance for the
 * next message. Nothing allocates, so it can sit on the SYN path under a SYN flood. An instance is
 * mutable and belongs to one thread; {@link #copy()} gives another thread its own hasher with the
 * same key without exposing the key.
 *
 * <p>Byte order: SipHash reads its key and message as little-endian 64-bit words, so
 * {@code addInt(v)} appends the four bytes of {@code v} least significant first and
 * {@code addLong(v)} the eight bytes of {@code v} least significant first. The 16-byte key
 * {@code k[0..15]} is {@code key0 = k[0..7]} and {@code key1 = k[8..15]}, each read little-endian;
 * the paper's key {@code 00 01 .. 0f} is {@code key0 = 0x0706050403020100L},
 * {@code key1 = 0x0f0e0d0c0b0a0908L}.
 */
public final class SipHash {
    /** The initial state constants: "somepseudorandomlygeneratedbytes" in ASCII. */
    private static final long INIT0 = 0x736f6d6570736575L;
    private static final long INIT1 = 0x646f72616e646f6dL;
    private static final long INIT2 = 0x6c7967656e657261L;
    private static final long INIT3 = 0x7465646279746573L;

    private final long key0;
    private final long key1;

    private long v0;
    private long v1;
    private long v2;
    private long v3;
    /** Message bytes not yet compressed, least significant byte first; fewer than eight. */
    private long tail;
    private int tailBytes;
    /** Message length so far; only its low byte enters the final block, as the algorithm says. */
    private long messageBytes;

    /** A hasher with the key {@code key0} (key bytes 0..7, little-endian) and {@code key1} (bytes 8..15). */
    public SipHash(long key0, long key1) {
        this.key0 = key0;
        this.key1 = key1;
        reset();
    }

    /** A hasher whose key is the 16 bytes of {@code key}. */
    public static SipHash ofKeyBytes(byte[] key) {
        if (key.length != 16) {
            throw new IllegalArgumentException("SipHash key must be 16 bytes, got " + key.length);
        }
        return new SipHash(littleEndianLong(key, 0), littleEndianLong(key, 8));
    }

    /** SipHash-2-4 of {@code message} under the key ({@code key0}, {@code key1}); allocates, for tests and setup. */
    public static long hash(long key0, long key1, byte[] message) {
        return new SipHash(key0, key1).add(message, 0, message.length).finish();
    }

    /** A new hasher with the same key, for another thread. */
    public SipHash copy() {
        return new SipHash(key0, key1);
    }

    /** Forgets any message bytes added so far. */
    public SipHash reset() {
        v0 = key0 ^ INIT0;
        v1 = key1 ^ INIT1;
        v2 = key0 ^ INIT2;
        v3 = key1 ^ INIT3;
        tail = 0;
        tailBytes = 0;
        messageBytes = 0;
        return this;
    }

    /** Appends one byte (the low eight bits of {@code value}). */
    public SipHash addByte(int value) {
        tail |= (value & 0xffL) << (8 * tailBytes);
        tailBytes++;
        messageBytes++;
        if (tailBytes == 8) {
            compress(tail);
            tail = 0;
            tailBytes = 0;
        }
        return this;
    }

    /** Appends the four bytes of {@code value}, least significant first. */
    public SipHash addInt(int value) {
        long bits = value & 0xffff_ffffL;
        messageBytes += 4;
        if (tailBytes <= 4) {
            tail |= bits << (8 * tailBytes);
            tailBytes += 4;
            if (tailBytes == 8) {
                compress(tail);
                tail = 0;
                tailBytes = 0;
            }
        } else {
            int room = 8 - tailBytes;           // 1..3 bytes complete the current word
            compress(tail | (bits << (8 * tailBytes)));
            tail = bits >>> (8 * room);
            tailBytes = 4 - room;
        }
        return this;
    }

    /** Appends the eight bytes of {@code value}, least significant first. */
    public SipHash addLong(long value) {
        messageBytes += 8;
        if (tailBytes == 0) {
            compress(value);
        } else {
            int shift = 8 * tailBytes;          // 8..56
            compress(tail | (value << shift));
            tail = value >>> (64 - shift);      // tailBytes stays the same
        }
        return this;
    }

    /** Appends {@code length} bytes of {@code bytes} from {@code offset}. */
    public SipHash add(byte[] bytes, int offset, int length) {
        for (int i = 0; i < length; i++) {
            addByte(bytes[offset + i]);
        }
        return this;
    }

    /** The SipHash-2-4 value of the bytes added since the last reset; resets the hasher. */
    public long finish() {
        compress(((messageBytes & 0xff) << 56) | tail);
        v2 ^= 0xff;
        round();
        round();
        round();
        round();
        long result = v0 ^ v1 ^ v2 ^ v3;
        reset();
        return result;
    }

    /** One message word through the two compression rounds ("2" of SipHash-2-4). */
    private void compress(long word) {
        v3 ^= word;
        round();
        round();
        v0 ^= word;
    }

    private void round() {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
    }

    private static long littleEndianLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = (value << 8) | (bytes[offset + i] & 0xffL);
        }
        return value;
    }
}
