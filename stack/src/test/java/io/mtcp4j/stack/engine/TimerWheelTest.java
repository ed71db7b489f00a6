package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.engine.TimerWheel.Timer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimerWheelTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1000 * MS;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    /** An arbitrary start, not zero, so that tick arithmetic relative to the start is exercised. */
    private static final long START = 123_456_789_000L;

    private final TimerWheel wheel = new TimerWheel(START);
    private final List<Timer> fired = new ArrayList<>();
    private final List<Long> firedAtNs = new ArrayList<>();
    private final TimerWheel.Handler record = (timer, nowNs) -> {
        fired.add(timer);
        firedAtNs.add(nowNs);
    };

    private Timer timer(int kind) {
        return new Timer("owner", kind);
    }

    private int poll(long nowNs) {
        return wheel.poll(nowNs, record);
    }

    /** Polls at {@code deadlineNs - 1}, expecting nothing, then at the deadline, expecting {@code timer}. */
    private void assertFiresExactlyAt(Timer timer, long deadlineNs) {
        assertEquals(0, poll(deadlineNs - 1), "fired before its deadline");
        assertTrue(timer.isScheduled());
        assertEquals(1, poll(deadlineNs));
        assertEquals(List.of(timer), fired);
        assertFalse(timer.isScheduled());
        assertEquals(0, wheel.size());
    }

    @Nested
    class Firing {
        @Test
        void firesAtItsDeadlineAndNotOneNanosecondBefore() {
            Timer t = timer(1);
            wheel.schedule(t, START + 5 * MS);
            assertFiresExactlyAt(t, START + 5 * MS);
        }

        @Test
        void aDeadlineBetweenTicksFiresAtTheNextTickBoundaryWithinOneTick() {
            Timer t = timer(1);
            wheel.schedule(t, START + 5 * MS + 400_000);
            assertEquals(0, poll(START + 5 * MS + 399_999));
            assertEquals(0, poll(START + 5 * MS + 900_000), "rounded up to the tick: not yet");
            assertEquals(1, poll(START + 6 * MS));
            assertTrue(firedAtNs.get(0) - t.deadlineNs() < MS, "less than one tick late");
        }

        @Test
        void aDeadlineAtTheStartFiresOnTheFirstPoll() {
            Timer t = timer(1);
            wheel.schedule(t, START);
            assertEquals(1, poll(START));
        }

        @Test
        void aDeadlineAlreadyPastFiresOnTheNextPoll() {
            poll(START + 10 * MS);
            Timer t = timer(1);
            wheel.schedule(t, START + 3 * MS);
            assertEquals(1, wheel.dueCount());
            assertEquals(1, poll(START + 10 * MS));
            assertEquals(List.of(t), fired);
        }

        @Test
        void aDeadlineBeforeTheWheelStartedFiresOnTheFirstPoll() {
            Timer t = timer(1);
            wheel.schedule(t, START - HOUR);
            assertEquals(1, poll(START));
        }

        @Test
        void theHandlerSeesTheTimerItsOwnerItsKindAndTheTime() {
            Object connection = new Object();
            Timer t = new Timer(connection, 7);
            wheel.schedule(t, START + 40 * MS);
            Object[] seen = new Object[3];
            wheel.poll(START + 41 * MS, (timer, nowNs) -> {
                seen[0] = timer.owner();
                seen[1] = timer.kind();
                seen[2] = nowNs;
            });
            assertSame(connection, seen[0]);
            assertEquals(7, seen[1]);
            assertEquals(START + 41 * MS, seen[2]);
        }

        @Test
        void timersFireInTheOrderOfTheirTicks() {
            Timer third = timer(3);
            Timer first = timer(1);
            Timer second = timer(2);
            wheel.schedule(third, START + 3 * MS);
            wheel.schedule(first, START + 1 * MS);
            wheel.schedule(second, START + 2 * MS);
            assertEquals(3, poll(START + 10 * MS));
            assertEquals(List.of(first, second, third), fired);
        }

        @Test
        void manyTimersOnOneTickAllFireInOnePoll() {
            List<Timer> timers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                Timer t = timer(i);
                timers.add(t);
                wheel.schedule(t, START + 17 * MS);
            }
            assertEquals(1000, wheel.size());
            assertEquals(0, poll(START + 17 * MS - 1));
            assertEquals(1000, poll(START + 17 * MS));
            assertEquals(1000, fired.size());
            assertTrue(fired.containsAll(timers));
            assertTrue(wheel.isEmpty());
        }

        @Test
        void aTimerOneTurnOfLevelZeroLaterSharesTheSlotIndexButNotTheTick() {
            Timer near = timer(1);
            Timer turnLater = timer(2);
            wheel.schedule(near, START + 10 * MS);
            wheel.schedule(turnLater, START + (10 + 256) * MS);  // same level-0 slot index, next turn
            assertEquals(1, poll(START + 10 * MS));
            assertEquals(List.of(near), fired);
            assertEquals(0, poll(START + 265 * MS));
            assertEquals(1, poll(START + 266 * MS));
        }

        @Test
        void pollsThatStayWithinOneTickDoNotRefireOrSkip() {
            Timer t = timer(1);
            wheel.schedule(t, START + 2 * MS);
            poll(START + 1 * MS + 10);
            poll(START + 1 * MS + 20);
            assertEquals(0, fired.size());
            assertEquals(1, poll(START + 2 * MS + 5));
            assertEquals(0, poll(START + 2 * MS + 6));
        }
    }

    @Nested
    class Levels {
        /** Deadlines from each level: delayed ACK, RTO min, RTO max, TIME_WAIT, keepalive, and beyond. */
        @ParameterizedTest(name = "{0} ns away, polled straight at the deadline")
        @ValueSource(longs = {40 * MS, 200 * MS, 255 * MS, 256 * MS, 257 * MS, 16_383 * MS, 16_384 * MS,
                60 * SECOND, 120 * SECOND, 17 * MINUTE, 2 * HOUR, 11 * HOUR, 3 * DAY, 49 * DAY})
        void firesAtTheDeadlineWhenPolledOnlyThen(long delayNs) {
            Timer t = timer(1);
            wheel.schedule(t, START + delayNs);
            assertFiresExactlyAt(t, START + delayNs);
        }

        @ParameterizedTest(name = "{0} ns away, polled every 7 ms up to it")
        @ValueSource(longs = {300 * MS, 20 * SECOND, 120 * SECOND})
        void firesAtTheDeadlineWhenPolledOftenOnTheWay(long delayNs) {
            Timer t = timer(1);
            long deadline = START + delayNs + 3;
            wheel.schedule(t, deadline);
            long now = START;
            while (now + 7 * MS < deadline) {
                now += 7 * MS;
                assertEquals(0, poll(now), "early at " + (now - START) + " ns");
            }
            assertEquals(0, poll(deadline - 1));
            assertEquals(1, poll(deadline + MS - 3), "at the next tick boundary after the deadline");
        }

        @ParameterizedTest(name = "{0} ns away, polled every minute up to it")
        @ValueSource(longs = {2 * HOUR + 17 * MS, 30 * HOUR + 5 * MS, 10 * DAY + 1 * MS})
        void longTimersCascadeDownAndStillFireOnTheirTick(long delayNs) {
            Timer t = timer(1);
            long deadline = START + delayNs;
            wheel.schedule(t, deadline);
            for (long now = START + MINUTE; now < deadline; now += MINUTE) {
                assertEquals(0, poll(now));
            }
            assertEquals(0, poll(deadline - 1));
            assertEquals(1, poll(deadline));
        }

        @Test
        void aDeadlineBeyondTheWheelsSpanIsParkedAndStillFiresOnTime() {
            // 2^32 ticks of 1 ms are 49.7 days; 120 days goes round the top level more than once.
            Timer t = timer(1);
            long deadline = START + 120 * DAY + 9 * MS;
            wheel.schedule(t, deadline);
            for (long now = START + DAY; now < deadline; now += DAY) {
                assertEquals(0, poll(now), "early at day " + (now - START) / DAY);
            }
            assertEquals(0, poll(deadline - 1));
            assertEquals(1, poll(deadline));
        }

        @Test
        void timersOnEveryLevelFireInDeadlineOrderWhenPolledOnce() {
            Timer ms = timer(0);
            Timer seconds = timer(1);
            Timer minutes = timer(2);
            Timer hours = timer(3);
            Timer days = timer(4);
            wheel.schedule(days, START + 5 * DAY);
            wheel.schedule(hours, START + 3 * HOUR);
            wheel.schedule(ms, START + 30 * MS);
            wheel.schedule(minutes, START + 20 * MINUTE);
            wheel.schedule(seconds, START + 10 * SECOND);
            assertEquals(5, poll(START + 6 * DAY));
            assertEquals(List.of(ms, seconds, minutes, hours, days), fired);
        }
    }

    @Nested
    class CancelAndReschedule {
        @Test
        void aCancelledTimerNeverFires() {
            Timer t = timer(1);
            wheel.schedule(t, START + 200 * MS);
            assertTrue(wheel.cancel(t));
            assertFalse(t.isScheduled());
            assertEquals(0, wheel.size());
            assertEquals(0, poll(START + HOUR));
        }

        @Test
        void cancellingAnUnarmedTimerDoesNothing() {
            Timer t = timer(1);
            assertFalse(wheel.cancel(t));
            wheel.schedule(t, START + MS);
            poll(START + MS);
            assertFalse(wheel.cancel(t), "already fired");
            assertEquals(0, wheel.size());
        }

        @Test
        void cancellingOneOfManyInASlotLeavesTheOthers() {
            Timer a = timer(1);
            Timer b = timer(2);
            Timer c = timer(3);
            for (Timer t : List.of(a, b, c)) {
                wheel.schedule(t, START + 20 * SECOND);
            }
            wheel.cancel(b);
            assertEquals(2, poll(START + 20 * SECOND));
            assertEquals(List.of(a, c), fired);
        }

        @Test
        void aDueTimerCanStillBeCancelled() {
            Timer t = timer(1);
            wheel.schedule(t, START + MS);
            assertEquals(0, wheel.poll(START + 2 * MS, record, 0));
            assertEquals(1, wheel.dueCount());
            assertTrue(wheel.cancel(t));
            assertEquals(0, wheel.dueCount());
            assertEquals(0, poll(START + 3 * MS));
        }

        @Test
        void reschedulingEarlierMovesTheTimer() {
            Timer t = timer(1);
            wheel.schedule(t, START + 10 * SECOND);
            wheel.schedule(t, START + SECOND);
            assertEquals(1, wheel.size());
            assertEquals(START + SECOND, t.deadlineNs());
            assertEquals(1, poll(START + SECOND));
            assertEquals(0, poll(START + 11 * SECOND), "not a second time at the old deadline");
        }

        @Test
        void reschedulingLaterMovesTheTimer() {
            Timer t = timer(1);
            wheel.schedule(t, START + SECOND);
            wheel.schedule(t, START + 10 * SECOND);
            assertEquals(0, poll(START + SECOND));
            assertEquals(0, poll(START + 10 * SECOND - 1));
            assertEquals(1, poll(START + 10 * SECOND));
        }

        @Test
        void reschedulingAcrossLevelsBothWays() {
            Timer t = timer(1);
            wheel.schedule(t, START + 5 * MS);
            wheel.schedule(t, START + 3 * HOUR);
            wheel.schedule(t, START + 90 * MS);
            wheel.schedule(t, START + 45 * SECOND);
            assertEquals(0, poll(START + 45 * SECOND - 1));
            assertEquals(1, poll(START + 45 * SECOND));
            assertTrue(wheel.isEmpty());
        }

        @Test
        void aRetransmissionTimerRestartedOnEveryAckFiresOnlyWhenAcksStop() {
            Timer rto = timer(1);
            long now = START;
            for (int ack = 0; ack < 500; ack++) {
                now += 3 * MS;
                assertEquals(0, poll(now));
                wheel.schedule(rto, now + 200 * MS);
            }
            assertEquals(0, poll(now + 200 * MS - 1));
            assertEquals(1, poll(now + 200 * MS));
        }

        @Test
        void aTimerArmedInAnotherWheelIsRefused() {
            TimerWheel other = new TimerWheel(START);
            Timer t = timer(1);
            other.schedule(t, START + MS);
            assertThrows(IllegalStateException.class, () -> wheel.schedule(t, START + MS));
            assertThrows(IllegalStateException.class, () -> wheel.cancel(t));
            assertEquals(1, other.size());
            assertTrue(other.cancel(t));
            wheel.schedule(t, START + MS);  // free again: any wheel may take it
            assertEquals(1, wheel.size());
        }
    }

    @Nested
    class BoundedExpiry {
        @Test
        void aPollFiresNoMoreThanItsBudgetAndLeavesTheRestDue() {
            for (int i = 0; i < 10; i++) {
                wheel.schedule(timer(i), START + (i + 1) * MS);
            }
            assertEquals(3, wheel.poll(START + 20 * MS, record, 3));
            assertEquals(7, wheel.dueCount());
            assertEquals(7, wheel.size());
            assertTrue(wheel.nextDeadlineNs() <= START + 20 * MS, "due timers: the next deadline has passed");
            assertEquals(3, wheel.poll(START + 20 * MS, record, 3));
            assertEquals(4, wheel.poll(START + 21 * MS, record, 100));
            assertEquals(0, wheel.dueCount());
            for (int i = 0; i < 10; i++) {
                assertEquals(i, fired.get(i).kind(), "due timers fire oldest first");
            }
        }

        @Test
        void aHandlerReArmingItsTimerForNowDoesNotKeepOnePollRunning() {
            Timer t = timer(1);
            wheel.schedule(t, START + MS);
            int[] calls = new int[1];
            TimerWheel.Handler rearm = (timer, nowNs) -> {
                calls[0]++;
                wheel.schedule(timer, nowNs);
            };
            assertEquals(1, wheel.poll(START + 5 * MS, rearm));
            assertEquals(1, calls[0]);
            assertTrue(t.isScheduled());
            assertEquals(1, wheel.poll(START + 5 * MS, rearm), "fires again on the next poll");
        }

        @Test
        void aHandlerMayCancelATimerThatIsAlsoDue() {
            Timer a = timer(1);
            Timer b = timer(2);
            wheel.schedule(a, START + MS);
            wheel.schedule(b, START + 2 * MS);
            List<Timer> seen = new ArrayList<>();
            int count = wheel.poll(START + 3 * MS, (timer, nowNs) -> {
                seen.add(timer);
                wheel.cancel(b);
            });
            assertEquals(1, count);
            assertEquals(List.of(a), seen);
            assertTrue(wheel.isEmpty());
        }

        @Test
        void aHandlerThatThrowsLeavesTheWheelConsistent() {
            Timer a = timer(1);
            Timer b = timer(2);
            wheel.schedule(a, START + MS);
            wheel.schedule(b, START + MS);
            assertThrows(IllegalStateException.class,
                    () -> wheel.poll(START + MS, (timer, nowNs) -> { throw new IllegalStateException("boom"); }));
            assertEquals(1, wheel.size());
            assertEquals(1, wheel.dueCount());
            assertEquals(1, poll(START + MS));
        }
    }

    @Nested
    class NextDeadline {
        @Test
        void noTimersMeansNoDeadline() {
            assertEquals(TimerWheel.NO_DEADLINE, wheel.nextDeadlineNs());
            Timer t = timer(1);
            wheel.schedule(t, START + MS);
            wheel.cancel(t);
            assertEquals(TimerWheel.NO_DEADLINE, wheel.nextDeadlineNs());
        }

        @Test
        void isExactForATimerWithinLevelZero() {
            wheel.schedule(timer(1), START + 40 * MS);
            wheel.schedule(timer(2), START + 90 * MS);
            assertEquals(START + 40 * MS, wheel.nextDeadlineNs());
        }

        @Test
        void isTheDeadlineRoundedUpToItsTick() {
            wheel.schedule(timer(1), START + 40 * MS + 1);
            assertEquals(START + 41 * MS, wheel.nextDeadlineNs());
        }

        @Test
        void followsTheEarliestAsTimersComeAndGo() {
            Timer late = timer(1);
            Timer early = timer(2);
            wheel.schedule(late, START + 100 * MS);
            wheel.schedule(early, START + 10 * MS);
            assertEquals(START + 10 * MS, wheel.nextDeadlineNs());
            wheel.cancel(early);
            assertEquals(START + 100 * MS, wheel.nextDeadlineNs());
            poll(START + 50 * MS);
            assertEquals(START + 100 * MS, wheel.nextDeadlineNs());
        }

        @Test
        void isNeverLaterThanAFarTimerAndWakingThenLeadsToIt() {
            long deadline = START + 2 * HOUR + 3 * SECOND + 7 * MS;
            Timer t = timer(1);
            wheel.schedule(t, deadline);
            long now = START;
            int wakeups = 0;
            while (fired.isEmpty()) {
                long next = wheel.nextDeadlineNs();
                assertTrue(next <= deadline, "next deadline after the timer's");
                assertTrue(next > now, "a deadline that has passed with nothing due");
                now = next;
                poll(now);
                wakeups++;
            }
            assertEquals(deadline, now, "fired on its own tick");
            assertTrue(wakeups <= 5, "one wakeup per level at most, got " + wakeups);
        }

        @Test
        void seesAHigherLevelTimerThatIsEarlierThanEveryLevelZeroTimer() {
            // Armed 260 ticks away, the first goes to level 1 (its slot cascades at tick 256).
            // 200 ticks later a timer 100 ticks away goes to level 0, yet expires after the first.
            Timer first = timer(1);
            wheel.schedule(first, START + 260 * MS);
            poll(START + 200 * MS);
            wheel.schedule(timer(2), START + 300 * MS);
            assertEquals(START + 256 * MS, wheel.nextDeadlineNs(), "the cascade tick, a lower bound");
            poll(wheel.nextDeadlineNs());
            assertEquals(START + 260 * MS, wheel.nextDeadlineNs(), "exact once cascaded to level 0");
            poll(START + 260 * MS);
            assertEquals(List.of(first), fired);
        }

        @Test
        void isInThePastWhileTimersAreDue() {
            Timer t = timer(1);
            wheel.schedule(t, START + 3 * MS);
            wheel.poll(START + 10 * MS, record, 0);
            assertEquals(START + 3 * MS, wheel.nextDeadlineNs());
        }
    }

    @Nested
    class Configuration {
        @Test
        void aCoarserTickRoundsDeadlinesUpToIt() {
            TimerWheel coarse = new TimerWheel(10 * MS, START);
            Timer t = timer(1);
            coarse.schedule(t, START + 15 * MS);
            assertEquals(START + 20 * MS, coarse.nextDeadlineNs());
            assertEquals(0, coarse.poll(START + 19 * MS, record));
            assertEquals(1, coarse.poll(START + 20 * MS, record));
            assertEquals(10 * MS, coarse.tickNs());
        }

        @Test
        void aTickMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> new TimerWheel(0, START));
            assertThrows(IllegalArgumentException.class, () -> new TimerWheel(-1, START));
        }

        @Test
        void timesThatWrapAroundLikeNanoTimeStillCompareByDifference() {
            long start = Long.MAX_VALUE - 50 * MS;
            TimerWheel wrapping = new TimerWheel(start);
            Timer t = timer(1);
            long deadline = start + 200 * MS;  // wraps to a negative value
            assertTrue(deadline < 0);
            wrapping.schedule(t, deadline);
            assertEquals(0, wrapping.poll(start + 100 * MS, record));
            assertEquals(0, wrapping.poll(deadline - 1, record));
            assertEquals(1, wrapping.poll(deadline, record));
        }

        @Test
        void aStartBeforeZeroWorksAsAnyOther() {
            long start = -5 * SECOND;
            TimerWheel negative = new TimerWheel(start);
            Timer t = timer(1);
            negative.schedule(t, start + 7 * SECOND + 1);
            assertEquals(0, negative.poll(start + 7 * SECOND, record));
            assertEquals(1, negative.poll(start + 7 * SECOND + MS, record));
        }
    }
}
