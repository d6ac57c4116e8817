package org.otp4j.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.otp4j.behaviours.GenRequest;
import org.otp4j.core.Address;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * A process the test drives from its own thread: it has a pid that code under test can send to,
 * link to, monitor and call, and the test takes what arrived with {@code expect...} methods that
 * fail with a description of everything the probe holds. Akka's and Pekko's {@code TestProbe},
 * ExUnit's test process.
 *
 * <!-- snippet: org.otp4j.testkit.GuideTest#probe -->
 * {@snippet :
 * Probe probe = Probe.open(node);
 * Pid echo = node.spawn(() -> {
 *   if (Proc.receive() instanceof Ping(Pid from)) {
 *     Proc.send(from, "pong");
 *   }
 * });
 * probe.send(echo, new Ping(probe.pid()));
 * assertThat(probe.expectMessage(String.class)).isEqualTo("pong");
 * probe.expectNoMessage();
 * }
 *
 * <p>A probe traps exits, so a linked process that dies sends it an {@link ExitMessage} instead of
 * killing it. It is a plain-thread inbox ({@link Inbox}), not a process with a thread of its own:
 * call its methods from one thread at a time, and {@link #close() close} it (the
 * {@link OtpExtension} closes the probes it gives and the ones opened on its node).
 *
 * <p>Its waits are real time, also on a node with a {@link org.otp4j.core.ManualClock}: the test thread is outside
 * the node's virtual time.
 */
public final class Probe implements AutoCloseable {
  /** How long {@code expect...} methods wait by default: 5 seconds (something that should happen at once). */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);
  /** How long {@link #expectNoMessage()} watches by default: 100 ms, as ExUnit's {@code refute_receive}. */
  public static final Duration DEFAULT_QUIET = Duration.ofMillis(100);

  private final Inbox inbox;
  /** What arrived and was not taken yet, oldest first: the probe's view of its mailbox. */
  private final List<Object> held = new ArrayList<>();

  private Probe(Inbox inbox) {
    this.inbox = inbox;
    inbox.trapExits(true);
  }

  /** Opens a probe on {@code node}. */
  public static Probe open(Node node) {
    Probe probe = new Probe(Objects.requireNonNull(node, "node").openInbox());
    TestNode.opened(node, probe);
    return probe;
  }

  /** Opens a probe on the {@link Node#current() current node}. */
  public static Probe open() {
    return open(Node.current());
  }

  /** The probe's pid. */
  public Pid pid() {
    return inbox.pid();
  }

  /** Sends {@code message} to {@code to} as the probe. */
  public void send(Pid to, Object message) {
    inbox.send(to, message);
  }

  // ---------------------------------------------------------------------------------------
  // receiving

  /**
   * Takes the oldest message that {@code matching} accepts, waiting at most {@code timeout}; empty if
   * none came. Messages it does not accept stay, in order, for later expectations.
   */
  public Optional<Object> receive(Predicate<Object> matching, Duration timeout) {
    Objects.requireNonNull(matching, "matching");
    long nanos = checkedNanos(timeout);
    Object found = takeHeld(matching);
    if (found != null) {
      return Optional.of(found);
    }
    long deadline = System.nanoTime() + nanos;
    while (true) {
      long left = deadline - System.nanoTime();
      Optional<Object> next = inbox.receive(Duration.ofNanos(Math.max(0, left)));
      if (next.isEmpty()) {
        return Optional.empty();
      }
      Object m = next.get();
      if (matching.test(m)) {
        return Optional.of(m);
      }
      held.add(m);
    }
  }

  /** Takes the oldest message, waiting at most {@code timeout}; empty if none came. */
  public Optional<Object> receive(Duration timeout) {
    return receive(m -> true, timeout);
  }

  /** Every message the probe holds now (it takes nothing), oldest first. */
  public List<Object> messages() {
    held.addAll(inbox.flush());
    return List.copyOf(held);
  }

  /**
   * The oldest message that {@code matching} accepts, waiting at most {@code timeout}.
   *
   * @param what what was expected, for the failure message
   * @throws AssertionError naming what was expected and listing what the probe holds, if none came
   */
  public Object expectMessage(String what, Predicate<Object> matching, Duration timeout) {
    return receive(matching, timeout).orElseThrow(() -> new AssertionError(
        "expected " + what + " in " + this + " within " + timeout.toMillis() + " ms, " + holding()));
  }

  /** The oldest message that {@code matching} accepts, waiting at most {@code timeout}. */
  public Object expectMessage(Predicate<Object> matching, Duration timeout) {
    return expectMessage("a message that matches", matching, timeout);
  }

  /** The oldest message that {@code matching} accepts, waiting at most {@link #DEFAULT_WAIT}. */
  public Object expectMessage(Predicate<Object> matching) {
    return expectMessage(matching, DEFAULT_WAIT);
  }

  /** The oldest message of type {@code type}, waiting at most {@code timeout}. */
  public <T> T expectMessage(Class<T> type, Duration timeout) {
    Objects.requireNonNull(type, "type");
    return type.cast(expectMessage("a " + type.getName(), type::isInstance, timeout));
  }

  /** The oldest message of type {@code type}, waiting at most {@link #DEFAULT_WAIT}. */
  public <T> T expectMessage(Class<T> type) {
    return expectMessage(type, DEFAULT_WAIT);
  }

  /**
   * The oldest message equal to {@code value}, waiting at most {@code timeout}. (To expect a message
   * that is itself a {@code Class}, use the predicate form.)
   */
  public <T> T expectMessage(T value, Duration timeout) {
    Objects.requireNonNull(value, "value");
    expectMessage("a message equal to " + value, value::equals, timeout);
    return value;
  }

  /** The oldest message equal to {@code value}, waiting at most {@link #DEFAULT_WAIT}. */
  public <T> T expectMessage(T value) {
    return expectMessage(value, DEFAULT_WAIT);
  }

  /**
   * Asserts that no message comes within {@code quiet}, and that the probe holds none.
   *
   * @throws AssertionError listing what came
   */
  public void expectNoMessage(Duration quiet) {
    Optional<Object> first = receive(m -> true, quiet); // returns at once if the probe holds one
    List<Object> all = new ArrayList<>();
    first.ifPresent(all::add);
    all.addAll(messages());
    if (!all.isEmpty()) {
      held.clear();
      held.addAll(all);
      throw new AssertionError("expected no message in " + this + " for " + quiet.toMillis() + " ms, " + holding());
    }
  }

  /** Asserts that no message comes within {@link #DEFAULT_QUIET} (100 ms), and that the probe holds none. */
  public void expectNoMessage() {
    expectNoMessage(DEFAULT_QUIET);
  }

  // ---------------------------------------------------------------------------------------
  // standing in for a server

  /**
   * A call the probe received ({@code GenServer.call(probe.pid(), request)}), whose caller waits for
   * {@link #reply}.
   *
   * @param <Q> the request's type
   * @param request the request
   * @param from where the reply goes
   */
  public record ReceivedCall<Q>(Q request, From from) {
    /**
     * Replies to the caller.
     *
     * @return true if the caller was still waiting
     */
    public boolean reply(Object value) {
      return from.reply(value);
    }
  }

  /**
   * The oldest {@code GenServer.call} (or {@code GenStatem.call}) to the probe whose request is a
   * {@code type}, waiting at most {@code timeout}: the test answers it with
   * {@link ReceivedCall#reply}.
   */
  public <Q> ReceivedCall<Q> expectCall(Class<Q> type, Duration timeout) {
    Objects.requireNonNull(type, "type");
    Object m = expectMessage("a call with a " + type.getName() + " request",
        x -> GenRequest.of(x).orElse(null) instanceof GenRequest.Call c && type.isInstance(c.request()), timeout);
    GenRequest.Call call = (GenRequest.Call) GenRequest.of(m).orElseThrow();
    return new ReceivedCall<>(type.cast(call.request()), call.from());
  }

  /** {@link #expectCall(Class, Duration)} with {@link #DEFAULT_WAIT}. */
  public <Q> ReceivedCall<Q> expectCall(Class<Q> type) {
    return expectCall(type, DEFAULT_WAIT);
  }

  /** The request of the oldest {@code GenServer.cast} to the probe whose request is a {@code type}. */
  public <Q> Q expectCast(Class<Q> type, Duration timeout) {
    Objects.requireNonNull(type, "type");
    Object m = expectMessage("a cast with a " + type.getName() + " request",
        x -> GenRequest.of(x).orElse(null) instanceof GenRequest.Cast c && type.isInstance(c.request()), timeout);
    return type.cast(GenRequest.of(m).orElseThrow().request());
  }

  /** {@link #expectCast(Class, Duration)} with {@link #DEFAULT_WAIT}. */
  public <Q> Q expectCast(Class<Q> type) {
    return expectCast(type, DEFAULT_WAIT);
  }

  // ---------------------------------------------------------------------------------------
  // links and monitors

  /** Links the probe to {@code pid}; as the probe traps exits, its exit comes as an {@link ExitMessage}. */
  public void link(Pid pid) {
    inbox.link(pid);
  }

  /** Monitors {@code target} from the probe. */
  public Ref monitor(Address target) {
    return inbox.monitor(target);
  }

  /** Sends an exit signal to {@code pid} as the probe. */
  public void exit(Pid pid, ExitReason reason) {
    inbox.exit(pid, reason);
  }

  /** The reason of the exit signal from {@code pid} (a linked process), waiting at most {@code timeout}. */
  public ExitReason expectExit(Pid pid, Duration timeout) {
    Objects.requireNonNull(pid, "pid");
    return ((ExitMessage) expectMessage("an exit signal from " + pid,
        m -> m instanceof ExitMessage e && e.from().equals(pid), timeout)).reason();
  }

  /** {@link #expectExit(Pid, Duration)} with {@link #DEFAULT_WAIT}. */
  public ExitReason expectExit(Pid pid) {
    return expectExit(pid, DEFAULT_WAIT);
  }

  /** The reason of the {@link Down} of monitor {@code ref}, waiting at most {@code timeout}. */
  public ExitReason expectDown(Ref ref, Duration timeout) {
    Objects.requireNonNull(ref, "ref");
    return ((Down) expectMessage("the Down of monitor " + ref, m -> m instanceof Down d && d.ref().equals(ref),
        timeout)).reason();
  }

  /** {@link #expectDown(Ref, Duration)} with {@link #DEFAULT_WAIT}. */
  public ExitReason expectDown(Ref ref) {
    return expectDown(ref, DEFAULT_WAIT);
  }

  /** The reason of a {@link Down} about {@code pid} (monitored by pid), waiting at most {@code timeout}. */
  public ExitReason expectDown(Pid pid, Duration timeout) {
    Objects.requireNonNull(pid, "pid");
    return ((Down) expectMessage("a Down about " + pid,
        m -> m instanceof Down d && d.pid().filter(pid::equals).isPresent(), timeout)).reason();
  }

  /** {@link #expectDown(Pid, Duration)} with {@link #DEFAULT_WAIT}. */
  public ExitReason expectDown(Pid pid) {
    return expectDown(pid, DEFAULT_WAIT);
  }

  /** Whether the probe is still open. */
  public boolean isAlive() {
    return inbox.isAlive();
  }

  /** Closes the probe: it exits with reason {@code normal}. */
  @Override
  public void close() {
    inbox.close();
  }

  @Override
  public String toString() {
    return "probe " + pid();
  }

  private Object takeHeld(Predicate<Object> matching) {
    for (Iterator<Object> it = held.iterator(); it.hasNext();) {
      Object m = it.next();
      if (matching.test(m)) {
        it.remove();
        return m;
      }
    }
    return null;
  }

  /** What the probe holds, for a failure message. */
  String holding() {
    List<Object> all = messages();
    if (all.isEmpty()) {
      return "its mailbox is empty";
    }
    StringBuilder sb = new StringBuilder("its mailbox holds " + all.size() + ":");
    for (Object m : all) {
      sb.append("\n  ").append(m);
    }
    return sb.toString();
  }

  private static long checkedNanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("a timeout cannot be negative, got " + timeout);
    }
    return timeout.toNanos();
  }
}
