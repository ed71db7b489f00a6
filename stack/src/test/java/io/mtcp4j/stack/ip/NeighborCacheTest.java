package io.mtcp4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The neighbour cache's state machine (RFC 4861 7.3.2-7.3.3, applied to ARP as RFC 1122 2.3.2
 * allows), driven by an injected clock: resolution and its retransmissions, the pending queue, the
 * REACHABLE / STALE / DELAY / PROBE cycle, the advertisement rules of RFC 4861 7.2.5 and the
 * table bound.
 */
class NeighborCacheTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MILLISECOND = 1_000_000L;
    /** An IPv4 next hop, 10.0.0.7, as a key. */
    private static final long PEER = IpFrames.key(IpFrames.PEER_IP);
    private static final long OTHER = IpFrames.key(IpFrames.OTHER_IP);
    private static final long PEER_MAC = IpFrames.PEER_MAC;
    private static final long NEW_MAC = MacAddress.parse("02:00:00:00:00:cc");

    private final RecordingNeighborOutput output = new RecordingNeighborOutput();
    private NeighborCache cache = new NeighborCache(NeighborConfig.defaults());
    /** The injected clock: an arbitrary start far from zero, so no code can mistake 0 for "unset". */
    private long now = 1_000 * SECOND;

    private void advance(long ns) {
        now += ns;
    }

    private NeighborState state(long low) {
        return cache.state(0, low, now);
    }

    /** A 100-byte frame whose bytes after the Ethernet destination say {@code marker}. */
    private static byte[] frame(int marker) {
        byte[] frame = new byte[100];
        for (int i = 6; i < frame.length; i++) {
            frame[i] = (byte) (marker + i);
        }
        return frame;
    }

    private long hold(long low, byte[] frame) {
        return cache.resolveOrHold(0, low, MemorySegment.ofArray(frame), 0, frame.length, now);
    }

    /** An entry for PEER in REACHABLE, learned from a solicited answer now. */
    private void reachablePeer() {
        cache.resolve(0, PEER, now);
        cache.onTimers(now, output);
        cache.learn(0, PEER, PEER_MAC, NeighborCache.SOLICITED | NeighborCache.OVERRIDE, now, output);
        assertEquals(NeighborState.REACHABLE, state(PEER));
        output.clear();
    }

    /** An entry for PEER in STALE, as an ARP request aimed at us leaves it (RFC 4861 7.2.3). */
    private void stalePeer() {
        cache.learn(0, PEER, PEER_MAC, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
        assertEquals(NeighborState.STALE, state(PEER));
    }

    @Nested
    class Resolution {
        @Test
        void anUnknownAddressStartsAResolutionWhoseFirstSolicitationIsDueAtOnce() {
            assertEquals(NeighborCache.UNRESOLVED, cache.resolve(0, PEER, now));
            assertEquals(NeighborState.INCOMPLETE, state(PEER));
            assertEquals(now, cache.nextDeadlineNs());
            assertEquals(1, cache.onTimers(now, output));
            assertEquals(List.of(new RecordingNeighborOutput.Solicitation(0, PEER, NeighborCache.NO_MAC)), output.solicitations);
            assertEquals(now + SECOND, cache.nextDeadlineNs());
        }

        @Test
        void askingAgainWhileIncompleteSendsNothingBeforeTheRetransmitTimer() {
            cache.resolve(0, PEER, now);
            cache.onTimers(now, output);
            advance(500 * MILLISECOND);
            assertEquals(NeighborCache.UNRESOLVED, cache.resolve(0, PEER, now));
            assertEquals(0, cache.onTimers(now, output));
            assertEquals(1, output.solicitations.size());
        }

        @Test
        void solicitationsRepeatEveryRetransTimerAndTheThirdUnansweredOneFails() {
            // RFC 4861 7.3.3 / 10: MAX_MULTICAST_SOLICIT = 3, RETRANS_TIMER = 1 s.
            cache.resolve(0, PEER, now);
            for (int i = 0; i < 3; i++) {
                cache.onTimers(now, output);
                assertEquals(i + 1, output.solicitations.size(), "solicitations after " + i + " s");
                advance(SECOND - 1);
                cache.onTimers(now, output);
                assertEquals(i + 1, output.solicitations.size(), "nothing before the timer");
                advance(1);
            }
            assertEquals(NeighborState.INCOMPLETE, state(PEER));
            cache.onTimers(now, output);
            assertEquals(NeighborState.NONE, state(PEER));
            assertEquals(List.of(new RecordingNeighborOutput.Failure(0, PEER, 0)), output.failures);
            assertEquals(3, output.solicitations.size());
            assertEquals(0, cache.size());
            assertEquals(Long.MAX_VALUE, cache.nextDeadlineNs());
        }

        @Test
        void aFailedResolutionDropsItsHeldFramesUnderANamedCounter() {
            assertEquals(NeighborCache.HELD, hold(PEER, frame(1)));
            assertEquals(NeighborCache.HELD, hold(PEER, frame(2)));
            int freeBefore = cache.freePendingBuffers();
            for (int i = 0; i <= 3; i++) {
                cache.onTimers(now, output);
                advance(SECOND);
            }
            assertEquals(2, cache.drops().count(IpDrop.NEIGHBOR_RESOLUTION_FAILED));
            assertEquals(List.of(new RecordingNeighborOutput.Failure(0, PEER, 2)), output.failures);
            assertTrue(output.transmitted.isEmpty());
            assertEquals(freeBefore + 2, cache.freePendingBuffers(), "buffers back in the pool");
        }

        @Test
        void theAnswerReleasesHeldFramesInOrderWithTheirDestinationWritten() {
            byte[] first = frame(1);
            byte[] second = frame(2);
            hold(PEER, first);
            hold(PEER, second);
            cache.onTimers(now, output);
            advance(300 * MILLISECOND);
            cache.learn(0, PEER, PEER_MAC, NeighborCache.SOLICITED | NeighborCache.OVERRIDE, now, output);

            assertEquals(NeighborState.REACHABLE, state(PEER));
            assertEquals(2, output.transmitted.size());
            for (int i = 0; i < 2; i++) {
                byte[] expected = (i == 0 ? first : second).clone();
                MacAddress.write(MemorySegment.ofArray(expected), 0, PEER_MAC);
                assertArrayEquals(expected, output.transmitted.get(i), "frame " + i);
            }
            assertEquals(0, cache.pendingFrames(0, PEER));
            assertEquals(NeighborConfig.defaults().pendingFramesTotal(), cache.freePendingBuffers());
        }

        @Test
        void anUnsolicitedAnswerResolvesToStaleAndStillReleasesTheFrames() {
            hold(PEER, frame(1));
            // An ARP request from the peer for us, or a neighbour solicitation from it: 7.2.3 says STALE.
            cache.learn(0, PEER, PEER_MAC, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
            assertEquals(NeighborState.STALE, state(PEER));
            assertEquals(1, output.transmitted.size());
            assertEquals(PEER_MAC, cache.cachedMac(0, PEER));
        }

        @Test
        void anAdvertisementWithoutALinkLayerAddressLeavesTheEntryIncomplete() {
            // RFC 4861 7.2.5: in INCOMPLETE, an advertisement without the target link-layer option is discarded.
            hold(PEER, frame(1));
            cache.learn(0, PEER, NeighborCache.NO_MAC, NeighborCache.SOLICITED, now, output);
            assertEquals(NeighborState.INCOMPLETE, state(PEER));
            assertEquals(1, cache.pendingFrames(0, PEER));
            assertTrue(output.transmitted.isEmpty());
        }

        @Test
        void theNextFrameAfterAFailureStartsANewResolution() {
            cache.resolve(0, PEER, now);
            for (int i = 0; i <= 3; i++) {
                cache.onTimers(now, output);
                advance(SECOND);
            }
            assertEquals(NeighborState.NONE, state(PEER));
            output.clear();
            assertEquals(NeighborCache.UNRESOLVED, cache.resolve(0, PEER, now));
            cache.onTimers(now, output);
            assertEquals(1, output.solicitations.size());
        }

        @Test
        void theNextDeadlineIsTheEarliestOfAllEntries() {
            cache.resolve(0, PEER, now);
            cache.onTimers(now, output);
            advance(400 * MILLISECOND);
            cache.resolve(0, OTHER, now);
            assertEquals(now, cache.nextDeadlineNs());
            cache.onTimers(now, output);
            assertEquals(now + 600 * MILLISECOND, cache.nextDeadlineNs(), "PEER's retransmission comes first");
        }

        @Test
        void aReachableEntryNeedsNoTimer() {
            reachablePeer();
            // The retransmission the answer made unnecessary may still wake the engine once; then nothing.
            advance(SECOND);
            assertEquals(0, cache.onTimers(now, output));
            assertEquals(Long.MAX_VALUE, cache.nextDeadlineNs());
            assertTrue(output.solicitations.isEmpty());
            assertEquals(PEER_MAC, cache.resolve(0, PEER, now));
            assertEquals(PEER_MAC, cache.resolveOrHold(0, PEER, MemorySegment.ofArray(frame(1)), 0, 100, now));
            assertEquals(0, cache.pendingFrames(0, PEER));
        }
    }

    @Nested
    class PendingQueue {
        @Test
        void theQueueOfOneDestinationKeepsTheNewestFrames() {
            // Three per destination (Linux unres_qlen); the two oldest of five make room.
            for (int i = 1; i <= 5; i++) {
                assertEquals(NeighborCache.HELD, hold(PEER, frame(i)));
            }
            assertEquals(3, cache.pendingFrames(0, PEER));
            assertEquals(2, cache.drops().count(IpDrop.NEIGHBOR_PENDING_OVERFLOW));
            cache.learn(0, PEER, PEER_MAC, NeighborCache.SOLICITED | NeighborCache.OVERRIDE, now, output);
            assertEquals(3, output.transmitted.size());
            for (int i = 0; i < 3; i++) {
                assertEquals((byte) (3 + i + 6), output.transmitted.get(i)[6], "frame " + (3 + i) + " at position " + i);
            }
        }

        @Test
        void anEmptyPoolDropsTheNewFrame() {
            cache = new NeighborCache(NeighborConfig.defaults().withSizes(16, 3, 4));
            for (int i = 0; i < 3; i++) {
                hold(PEER, frame(i));
            }
            assertEquals(NeighborCache.HELD, hold(OTHER, frame(10)));
            assertEquals(NeighborCache.DROPPED, hold(OTHER, frame(11)));
            assertEquals(1, cache.drops().count(IpDrop.NEIGHBOR_PENDING_POOL_EMPTY));
            assertEquals(1, cache.pendingFrames(0, OTHER));
            assertEquals(0, cache.freePendingBuffers());
        }

        @Test
        void aFrameLongerThanABufferIsDropped() {
            byte[] jumbo = new byte[NeighborConfig.defaults().maxFrameBytes() + 1];
            assertEquals(NeighborCache.DROPPED, hold(PEER, jumbo));
            assertEquals(1, cache.drops().count(IpDrop.NEIGHBOR_FRAME_TOO_LONG));
            assertEquals(NeighborState.INCOMPLETE, state(PEER), "the resolution still starts");
        }

        @Test
        void theHeldCopyIsIndependentOfTheCallersBuffer() {
            byte[] original = frame(7);
            byte[] expected = original.clone();
            hold(PEER, original);
            java.util.Arrays.fill(original, (byte) 0x55);
            cache.learn(0, PEER, PEER_MAC, NeighborCache.SOLICITED | NeighborCache.OVERRIDE, now, output);
            MacAddress.write(MemorySegment.ofArray(expected), 0, PEER_MAC);
            assertArrayEquals(expected, output.transmitted.getFirst());
        }
    }

    @Nested
    class Reachability {
        @Test
        void aReachableEntryTurnsStaleAfterReachableTime() {
            reachablePeer();
            advance(30 * SECOND - 1);
            assertEquals(NeighborState.REACHABLE, state(PEER));
            advance(1);
            assertEquals(NeighborState.STALE, state(PEER));
            assertEquals(PEER_MAC, cache.cachedMac(0, PEER), "a stale address is still used");
        }

        @Test
        void sendingOnAStaleEntryDelaysThenProbesTheCachedAddress() {
            // RFC 4861 7.3.3: STALE -> DELAY on use; after DELAY_FIRST_PROBE_TIME (5 s) -> PROBE, unicast.
            stalePeer();
            assertEquals(PEER_MAC, cache.resolve(0, PEER, now));
            assertEquals(NeighborState.DELAY, state(PEER));
            assertEquals(now + 5 * SECOND, cache.nextDeadlineNs());
            advance(5 * SECOND);
            cache.onTimers(now, output);
            assertEquals(NeighborState.PROBE, state(PEER));
            assertEquals(List.of(new RecordingNeighborOutput.Solicitation(0, PEER, PEER_MAC)), output.solicitations);
            assertEquals(PEER_MAC, cache.resolve(0, PEER, now), "the cached address is used while probing");
        }

        @Test
        void unansweredProbesRemoveTheEntryAfterMaxUnicastSolicit() {
            stalePeer();
            cache.resolve(0, PEER, now);
            advance(5 * SECOND);
            for (int i = 0; i < 3; i++) {
                cache.onTimers(now, output);
                advance(SECOND);
            }
            assertEquals(3, output.solicitations.size());
            assertTrue(output.solicitations.stream().noneMatch(RecordingNeighborOutput.Solicitation::multicast));
            assertEquals(NeighborState.PROBE, state(PEER));
            cache.onTimers(now, output);
            assertEquals(NeighborState.NONE, state(PEER));
            assertEquals(List.of(new RecordingNeighborOutput.Failure(0, PEER, 0)), output.failures);
        }

        @Test
        void anUpperLayerConfirmationInDelayAvoidsTheProbe() {
            // RFC 4861 7.3.1: TCP forward progress confirms reachability.
            stalePeer();
            cache.resolve(0, PEER, now);
            advance(2 * SECOND);
            cache.confirm(0, PEER, now);
            assertEquals(NeighborState.REACHABLE, state(PEER));
            advance(3 * SECOND);
            cache.onTimers(now, output);
            assertTrue(output.solicitations.isEmpty());
            assertEquals(NeighborState.REACHABLE, state(PEER));
        }

        @Test
        void aSolicitedAnswerInProbeMakesTheEntryReachableAgain() {
            stalePeer();
            cache.resolve(0, PEER, now);
            advance(5 * SECOND);
            cache.onTimers(now, output);
            cache.learn(0, PEER, PEER_MAC, NeighborCache.SOLICITED, now, output);
            assertEquals(NeighborState.REACHABLE, state(PEER));
            advance(10 * SECOND);
            cache.onTimers(now, output);
            assertEquals(1, output.solicitations.size(), "no probe after the answer");
        }

        @Test
        void aConfirmationCannotResolveAnIncompleteEntry() {
            cache.resolve(0, PEER, now);
            cache.confirm(0, PEER, now);
            cache.confirm(0, OTHER, now);
            assertEquals(NeighborState.INCOMPLETE, state(PEER));
            assertEquals(NeighborState.NONE, state(OTHER));
        }
    }

    /** RFC 4861 7.2.5: an advertisement against an entry that has an address. */
    @Nested
    class AdvertisementFlags {
        @Test
        void withoutAnEntryAnAdvertisementIsIgnored() {
            cache.learn(0, PEER, PEER_MAC, NeighborCache.SOLICITED | NeighborCache.OVERRIDE, now, output);
            assertEquals(NeighborState.NONE, state(PEER));
            assertEquals(0, cache.size());
        }

        @Test
        void overrideClearWithANewAddressMakesAReachableEntryStaleAndKeepsTheOldAddress() {
            reachablePeer();
            cache.learn(0, PEER, NEW_MAC, NeighborCache.SOLICITED, now, output);
            assertEquals(NeighborState.STALE, state(PEER));
            assertEquals(PEER_MAC, cache.cachedMac(0, PEER));
        }

        @Test
        void overrideClearWithANewAddressLeavesAStaleEntryAlone() {
            stalePeer();
            cache.learn(0, PEER, NEW_MAC, 0, now, output);
            assertEquals(NeighborState.STALE, state(PEER));
            assertEquals(PEER_MAC, cache.cachedMac(0, PEER));
        }

        @Test
        void overrideSetWithANewAddressReplacesItAndAnUnsolicitedOneLeavesItStale() {
            reachablePeer();
            cache.learn(0, PEER, NEW_MAC, NeighborCache.OVERRIDE, now, output);
            assertEquals(NEW_MAC, cache.cachedMac(0, PEER));
            assertEquals(NeighborState.STALE, state(PEER));
        }

        @Test
        void overrideSetAndSolicitedWithANewAddressReplacesItAndIsReachable() {
            stalePeer();
            cache.learn(0, PEER, NEW_MAC, NeighborCache.OVERRIDE | NeighborCache.SOLICITED, now, output);
            assertEquals(NEW_MAC, cache.cachedMac(0, PEER));
            assertEquals(NeighborState.REACHABLE, state(PEER));
        }

        @Test
        void aSolicitedAnswerWithTheSameAddressConfirmsEvenWithOverrideClear() {
            stalePeer();
            cache.learn(0, PEER, PEER_MAC, NeighborCache.SOLICITED, now, output);
            assertEquals(NeighborState.REACHABLE, state(PEER));
        }

        @Test
        void aSolicitedAnswerWithoutTheOptionConfirmsTheCachedAddress() {
            stalePeer();
            cache.learn(0, PEER, NeighborCache.NO_MAC, NeighborCache.SOLICITED, now, output);
            assertEquals(NeighborState.REACHABLE, state(PEER));
            assertEquals(PEER_MAC, cache.cachedMac(0, PEER));
        }

        @Test
        void anUnsolicitedAdvertisementWithTheSameAddressChangesNoState() {
            reachablePeer();
            cache.learn(0, PEER, PEER_MAC, NeighborCache.OVERRIDE, now, output);
            assertEquals(NeighborState.REACHABLE, state(PEER));
            advance(30 * SECOND);
            assertEquals(NeighborState.STALE, state(PEER));
            cache.learn(0, PEER, PEER_MAC, NeighborCache.OVERRIDE, now, output);
            assertEquals(NeighborState.STALE, state(PEER));
        }

        @Test
        void aSolicitationCreatesAStaleEntryAndANewSourceAddressReplacesTheOld() {
            // RFC 4861 7.2.3.
            cache.learn(0, PEER, PEER_MAC, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
            assertEquals(NeighborState.STALE, state(PEER));
            cache.confirm(0, PEER, now);
            cache.learn(0, PEER, NEW_MAC, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
            assertEquals(NeighborState.STALE, state(PEER));
            assertEquals(NEW_MAC, cache.cachedMac(0, PEER));
        }
    }

    @Nested
    class TableBound {
        @Test
        void aFullTableReplacesTheLeastRecentlyUsedResolvedEntry() {
            cache = new NeighborCache(NeighborConfig.defaults().withSizes(4, 3, 8));
            for (long host = 1; host <= 4; host++) {
                cache.learn(0, host, 0x0200_0000_0000L + host, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
            }
            // Use 1 and 2, so 3 is now the least recently used.
            cache.resolve(0, 1, now);
            cache.resolve(0, 2, now);
            cache.learn(0, 5, 0x0200_0000_0005L, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
            assertEquals(4, cache.size());
            assertEquals(1, cache.evictions());
            assertEquals(NeighborState.NONE, state(3));
            for (long host : new long[] {1, 2, 4, 5}) {
                assertEquals(0x0200_0000_0000L + host, cache.cachedMac(0, host), "host " + host);
            }
        }

        @Test
        void aTableFullOfResolvingEntriesRefusesANewOne() {
            cache = new NeighborCache(NeighborConfig.defaults().withSizes(2, 3, 8));
            hold(PEER, frame(1));
            hold(OTHER, frame(2));
            assertEquals(NeighborCache.TABLE_FULL, cache.resolve(0, 99, now));
            assertEquals(NeighborCache.DROPPED, hold(98, frame(3)));
            assertEquals(2, cache.drops().count(IpDrop.NEIGHBOR_TABLE_FULL));
            assertEquals(1, cache.pendingFrames(0, PEER), "the resolving entries keep their frames");
            assertEquals(0, cache.evictions());
        }

        @Test
        void aResolvedEntryIsEvictedBeforeAResolvingOne() {
            cache = new NeighborCache(NeighborConfig.defaults().withSizes(2, 3, 8));
            cache.learn(0, PEER, PEER_MAC, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
            hold(OTHER, frame(1));
            // PEER is the most recently used now, OTHER (INCOMPLETE) the least: PEER still goes.
            cache.resolve(0, PEER, now);
            assertEquals(NeighborCache.UNRESOLVED, cache.resolve(0, 77, now));
            assertEquals(NeighborState.NONE, state(PEER));
            assertEquals(1, cache.pendingFrames(0, OTHER));
        }

        @Test
        void ipv4AndIpv6KeysWithTheSameLowHalfAreDifferentEntries() {
            cache.learn(0, 7, PEER_MAC, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
            cache.learn(0x2001_0db8_0000_0000L, 7, NEW_MAC, NeighborCache.OVERRIDE | NeighborCache.CREATE, now, output);
            assertEquals(PEER_MAC, cache.cachedMac(0, 7));
            assertEquals(NEW_MAC, cache.cachedMac(0x2001_0db8_0000_0000L, 7));
        }
    }

    @Test
    void configurationMistakesFailWithTheirName() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> NeighborConfig.defaults().withSizes(0, 3, 8));
        assertTrue(zero.getMessage().contains("capacity"), zero.getMessage());
    }
}
