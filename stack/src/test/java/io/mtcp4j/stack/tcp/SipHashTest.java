package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * SipHash-2-4 against the reference implementation's test vectors (vectors.h of the SipHash
 * reference code): key 00 01 .. 0f, message of i bytes 00 01 .. i-1, for i = 0..63. The 15-byte
 * entry is the worked example of the paper's appendix A.
 */
class SipHashTest {
    /** Key bytes 00..07 and 08..0f read little-endian. */
    private static final long KEY0 = 0x0706050403020100L;
    private static final long KEY1 = 0x0f0e0d0c0b0a0908L;

    private static final long[] REFERENCE_VECTORS = {
        0x726fdb47dd0e0e31L, 0x74f839c593dc67fdL, 0x0d6c8009d9a94f5aL, 0x85676696d7fb7e2dL,
        0xcf2794e0277187b7L, 0x18765564cd99a68dL, 0xcbc9466e58fee3ceL, 0xab0200f58b01d137L,
        0x93f5f5799a932462L, 0x9e0082df0ba9e4b0L, 0x7a5dbbc594ddb9f3L, 0xf4b32f46226bada7L,
        0x751e8fbc860ee5fbL, 0x14ea5627c0843d90L, 0xf723ca908e7af2eeL, 0xa129ca6149be45e5L,
        0x3f2acc7f57c29bdbL, 0x699ae9f52cbe4794L, 0x4bc1b3f0968dd39cL, 0xbb6dc91da77961bdL,
        0xbed65cf21aa2ee98L, 0xd0f2cbb02e3b67c7L, 0x93536795e3a33e88L, 0xa80c038ccd5ccec8L,
        0xb8ad50c6f649af94L, 0xbce192de8a85b8eaL, 0x17d835b85bbb15f3L, 0x2f2e6163076bcfadL,
        0xde4daaaca71dc9a5L, 0xa6a2506687956571L, 0xad87a3535c49ef28L, 0x32d892fad841c342L,
        0x7127512f72f27cceL, 0xa7f32346f95978e3L, 0x12e0b01abb051238L, 0x15e034d40fa197aeL,
        0x314dffbe0815a3b4L, 0x027990f029623981L, 0xcadcd4e59ef40c4dL, 0x9abfd8766a33735cL,
        0x0e3ea96b5304a7d0L, 0xad0c42d6fc585992L, 0x187306c89bc215a9L, 0xd4a60abcf3792b95L,
        0xf935451de4f21df2L, 0xa9538f0419755787L, 0xdb9acddff56ca510L, 0xd06c98cd5c0975ebL,
        0xe612a3cb9ecba951L, 0xc766e62cfcadaf96L, 0xee64435a9752fe72L, 0xa192d576b245165aL,
        0x0a8787bf8ecb74b2L, 0x81b3e73d20b49b6fL, 0x7fa8220ba3b2eceaL, 0x245731c13ca42499L,
        0xb78dbfaf3a8d83bdL, 0xea1ad565322a1a0bL, 0x60e61c23a3795013L, 0x6606d7e446282b93L,
        0x6ca4ecb15c5f91e1L, 0x9f626da15c9625f3L, 0xe51b38608ef25f57L, 0x958a324ceb064572L,
    };

    private static byte[] countingMessage(int length) {
        byte[] message = new byte[length];
        for (int i = 0; i < length; i++) {
            message[i] = (byte) i;
        }
        return message;
    }

    @Test
    void emptyMessage() {
        assertEquals(0x726fdb47dd0e0e31L, SipHash.hash(KEY0, KEY1, new byte[0]));
    }

    @Test
    void oneByteMessage() {
        assertEquals(0x74f839c593dc67fdL, SipHash.hash(KEY0, KEY1, new byte[] {0x00}));
    }

    @Test
    void paperExampleFifteenBytes() {
        // The worked example of the paper's appendix A: message 00 01 .. 0e.
        assertEquals(0xa129ca6149be45e5L, SipHash.hash(KEY0, KEY1, countingMessage(15)));
    }

    @Test
    void allSixtyFourReferenceVectors() {
        for (int length = 0; length < REFERENCE_VECTORS.length; length++) {
            assertEquals(REFERENCE_VECTORS[length], SipHash.hash(KEY0, KEY1, countingMessage(length)),
                    "message of " + length + " bytes");
        }
    }

    @Test
    void keyFromBytesIsLittleEndian() {
        byte[] key = countingMessage(16);
        SipHash hasher = SipHash.ofKeyBytes(key);
        assertEquals(0xa129ca6149be45e5L, hasher.add(countingMessage(15), 0, 15).finish());
    }

    @Test
    void keyOfWrongLengthIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SipHash.ofKeyBytes(new byte[15]));
    }

    @Test
    void wordsAreAppendedLittleEndian() {
        // Bytes 00..0f as two longs and as four ints: the same message as the byte array.
        long expected = REFERENCE_VECTORS[16];
        assertEquals(expected, new SipHash(KEY0, KEY1).addLong(0x0706050403020100L).addLong(0x0f0e0d0c0b0a0908L).finish());
        assertEquals(expected, new SipHash(KEY0, KEY1).addInt(0x03020100).addInt(0x07060504)
                .addInt(0x0b0a0908).addInt(0x0f0e0d0c).finish());
        // Unaligned: one byte, then a long straddling two words, then the rest.
        assertEquals(expected, new SipHash(KEY0, KEY1).addByte(0x00).addLong(0x0807060504030201L)
                .addInt(0x0c0b0a09).addByte(0x0d).addByte(0x0e).addByte(0x0f).finish());
    }

    @Test
    void finishResetsForTheNextMessage() {
        SipHash hasher = new SipHash(KEY0, KEY1);
        hasher.add(countingMessage(15), 0, 15).finish();
        assertEquals(REFERENCE_VECTORS[3], hasher.add(countingMessage(3), 0, 3).finish());
        assertEquals(REFERENCE_VECTORS[0], hasher.finish());
    }

    @Test
    void copyHashesWithTheSameKey() {
        SipHash original = new SipHash(KEY0, KEY1);
        original.addByte(7); // state in progress is not copied
        assertEquals(REFERENCE_VECTORS[8], original.copy().add(countingMessage(8), 0, 8).finish());
    }

    @Test
    void aDifferentKeyGivesADifferentHash() {
        assertNotEquals(REFERENCE_VECTORS[8], SipHash.hash(KEY0 ^ 1, KEY1, countingMessage(8)));
        assertNotEquals(REFERENCE_VECTORS[8], SipHash.hash(KEY0, KEY1 ^ (1L << 63), countingMessage(8)));
    }
}
