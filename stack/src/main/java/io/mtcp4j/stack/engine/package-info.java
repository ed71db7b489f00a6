/**
 * The per-core engine and the single-threaded structures it is built from.
 *
 * <p>Everything here belongs to one engine thread: no locks, no clock reads (time arrives as
 * {@code nowNs}), and nothing on the per-packet path allocates.
 *
 * <ul>
 *   <li>{@link io.mtcp4j.stack.engine.Engine}: the duty cycle over one device queue (receive,
 *       timers, commands, readiness, transmit, flush), configured by
 *       {@link io.mtcp4j.stack.engine.EngineConfig} and {@link io.mtcp4j.stack.engine.StackAddresses},
 *       counting drops by name in {@link io.mtcp4j.stack.engine.EngineCounters}; run on a thread
 *       by {@link io.mtcp4j.stack.engine.EngineRunner}.</li>
 *   <li>{@link io.mtcp4j.stack.engine.EngineGroup}: several engines over one device, engine
 *       {@code i} on queue {@code i}; {@link io.mtcp4j.stack.engine.FlowOwnership} says which
 *       engine owns a four-tuple (the device's steering, or a software hash), frames reaching
 *       another engine are handed to the owner through bounded MPSC queues, and
 *       {@link io.mtcp4j.stack.engine.EphemeralPorts} (shared, lock-free) picks local ports whose
 *       flows the device steers back to the opening engine. These are the package's only
 *       classes touched by several threads.</li>
 *   <li>{@link io.mtcp4j.stack.engine.FlowTable}: the 4-tuple to flow map used to demultiplex
 *       received segments; primitive keys, open addressing with backward-shift deletion, slots
 *       chosen by keyed SipHash-2-4 against hash flooding.</li>
 *   <li>{@link io.mtcp4j.stack.engine.ListenerTable}: listeners by family, address and port; an
 *       exact address wins over the wildcard.</li>
 *   <li>{@link io.mtcp4j.stack.engine.TimerWheel}: a hierarchical timing wheel with intrusive
 *       timers for RTO, delayed ACK, persist, keepalive and TIME_WAIT; O(1) arm and cancel,
 *       bounded expiry per poll, and the next deadline for the idle strategy.</li>
 * </ul>
 */
package io.mtcp4j.stack.engine;
