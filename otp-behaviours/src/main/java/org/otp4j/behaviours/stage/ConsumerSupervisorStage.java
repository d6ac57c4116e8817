package org.otp4j.behaviours.stage;

import org.otp4j.core.internal.ReportLog;
import org.slf4j.event.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.ServerRef;

/**
 * The engine of a {@link ConsumerSupervisor}: a consumer with manual demand that starts a child per
 * event. Per producer it keeps {@code count} (children running for it) and {@code pending}
 * (children finished and not yet asked for again); it asks again once {@code pending} reaches
 * {@code minDemand}, so at most {@code maxDemand} children run for each producer.
 */
final class ConsumerSupervisorStage<E> extends Consumer<Void, E> {
  record WhichChildren() {}

  private static final class ProducerEntry {
    final Subscription from;
    final long min;
    final long max;
    long count;
    long pending;

    ProducerEntry(Subscription from, long min, long max) {
      this.from = from;
      this.min = min;
      this.max = max;
    }
  }

  /** A running child: the subscription its event came from, and the event (kept for a restart). */
  private record ChildEntry(Ref producer, Object event) {}

  private final ConsumerSupervisor.Child<E> child;
  private final ConsumerSupervisor.Intensity intensity;
  private final List<SubscribeTo> subscribeTo;
  private final Map<Ref, ProducerEntry> producers = new HashMap<>();
  private final Map<Pid, ChildEntry> children = new LinkedHashMap<>();
  private final ArrayDeque<Long> restarts = new ArrayDeque<>();

  ConsumerSupervisorStage(ConsumerSupervisor.Child<E> child, ConsumerSupervisor.Intensity intensity,
      List<SubscribeTo> subscribeTo) {
    this.child = java.util.Objects.requireNonNull(child, "child");
    this.intensity = java.util.Objects.requireNonNull(intensity, "intensity");
    this.subscribeTo = List.copyOf(subscribeTo);
  }

  @Override
  protected Init<Void> init() {
    Proc.trapExits(true);
    return Init.ok(null, Options.defaults().withSubscribeTo(subscribeTo));
  }

  @Override
  protected SubscribeResult<Void> handleSubscribe(Peer peer, SubscribeTo options, Subscription from, Void state) {
    producers.put(from.tag(), new ProducerEntry(from, options.effectiveMinDemand(), options.maxDemand()));
    GenStage.ask(from, options.maxDemand());
    return manual(state);
  }

  @Override
  protected CastResult<Void, Void> handleCancel(Cancellation cancellation, Subscription from, Void state) {
    producers.remove(from.tag());
    return noReply(state);
  }

  @Override
  protected CastResult<Void, Void> handleEvents(List<E> events, Subscription from, Void state) {
    int started = 0;
    int failed = 0;
    for (E event : events) {
      Pid pid = startChild(event, from);
      if (pid != null) {
        children.put(pid, new ChildEntry(from.tag(), event));
        started++;
      } else {
        failed++;
      }
    }
    askAgain(from.tag(), started + failed, failed);
    return noReply(state);
  }

  /** Starts the child for {@code event}; null if it ignored, failed or threw (logged). */
  private Pid startChild(Object event, Subscription from) {
    Object result;
    try {
      @SuppressWarnings("unchecked")
      Object r = ((java.util.function.Function<Object, ?>) child.start()).apply(event);
      result = r;
    } catch (RuntimeException e) {
      result = StartResult.error(ExitReason.crash(e));
    }
    Pid pid = switch (result) {
      case Pid p -> p;
      case ServerRef<?> ref -> ref.pid();
      case Name name -> Proc.whereis(name).orElse(null);
      case StartResult.Started s -> s.pid();
      case StartResult.Ignored i -> null;
      case null, default -> null;
    };
    if (pid == null && !(result instanceof StartResult.Ignored)) {
      Object reason = result instanceof StartResult.Failed f ? f.reason() : "bad start result " + result;
      ReportLog.at(StageServer.LOG, Level.ERROR).addKeyValue("label", "consumer_supervisor_start_error")
          .addKeyValue("supervisor", Proc.self()).addKeyValue("event", event).addKeyValue("reason", reason)
          .log("ConsumerSupervisor failed to start child from: {} with reason: {}", from, reason);
    }
    return pid;
  }

  /** {@code events} arrived from a producer, {@code done} of them are finished already; ask again if due. */
  private void askAgain(Ref producer, long events, long done) {
    ProducerEntry p = producers.get(producer);
    if (p == null) {
      return;
    }
    if (p.count + events > p.max) {
      ReportLog.at(StageServer.LOG, Level.ERROR).addKeyValue("label", "genstage_excess_events").addKeyValue("stage", Proc.self())
          .log("ConsumerSupervisor has received {} events in excess from: {}", p.count + events - p.max, p.from);
    }
    long ask = p.pending + done;
    if (ask >= p.min && ask > 0) {
      GenStage.ask(p.from, ask);
      ask = 0;
    }
    p.pending = ask;
    p.count = p.count + events - done;
  }

  @Override
  protected CastResult<Void, Void> handleInfo(Object message, Void state) {
    if (message instanceof ExitMessage(Pid pid, ExitReason reason) && children.containsKey(pid)) {
      ChildEntry entry = children.remove(pid);
      if (!reason.isOrderly()) {
        ReportLog.at(StageServer.LOG, Level.ERROR).addKeyValue("label", "supervisor_report").addKeyValue("errorContext", "child_terminated")
            .addKeyValue("supervisor", Proc.self()).addKeyValue("child", pid).addKeyValue("reason", reason)
            .log("ConsumerSupervisor {}: child {} for event {} terminated with reason {}", Proc.self(), pid,
                entry.event(), reason);
      }
      if (child.restart() == ChildSpec.Restart.TRANSIENT && !reason.isOrderly()) {
        if (!mayRestart()) {
          return stop(ExitReason.SHUTDOWN, state);
        }
        Pid again = startChild(entry.event(), new Subscription(pid, entry.producer()));
        if (again != null) {
          children.put(again, entry);
          return noReply(state);
        }
      }
      askAgain(entry.producer(), 0, 1);
      return noReply(state);
    }
    ReportLog.at(StageServer.LOG, Level.ERROR).addKeyValue("label", "consumer_supervisor_unexpected_message")
        .addKeyValue("supervisor", Proc.self()).addKeyValue("message", message)
        .log("ConsumerSupervisor received unexpected message: {}", message);
    return noReply(state);
  }

  /** Counts a restart; false when there have been more than the intensity allows. */
  private boolean mayRestart() {
    long now = System.nanoTime();
    restarts.addLast(now);
    long window = intensity.maxSeconds().toNanos();
    while (!restarts.isEmpty() && now - restarts.peekFirst() > window) {
      restarts.pollFirst();
    }
    return restarts.size() <= intensity.maxRestarts();
  }

  @Override
  protected CallResult<Void, Void> handleCall(Object request, From from, Void state) throws Exception {
    if (request instanceof WhichChildren) {
      return reply(List.copyOf(children.keySet()), state);
    }
    return super.handleCall(request, from, state);
  }

  @Override
  protected void terminate(ExitReason reason, Void state) {
    Map<Ref, Pid> monitors = new HashMap<>();
    for (Pid pid : children.keySet()) {
      monitors.put(Proc.monitor(pid), pid);
      Proc.unlink(pid);
    }
    ExitReason signal = child.shutdown() instanceof ChildSpec.Shutdown.BrutalKill ? ExitReason.KILL : ExitReason.SHUTDOWN;
    for (Pid pid : monitors.values()) {
      Proc.exit(pid, signal);
    }
    long deadline = child.shutdown() instanceof ChildSpec.Shutdown.Timeout(Duration timeout)
        ? System.nanoTime() + timeout.toNanos() : Long.MAX_VALUE;
    List<Pid> left = new ArrayList<>();
    while (!monitors.isEmpty()) {
      Duration wait = deadline == Long.MAX_VALUE ? Proc.INFINITY
          : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      Object down = Proc.receive(m -> m instanceof Down d && monitors.containsKey(d.ref()), wait).orElse(null);
      if (down == null) {
        left.addAll(monitors.values());
        break;
      }
      monitors.remove(((Down) down).ref());
    }
    for (Pid pid : left) {
      Proc.exit(pid, ExitReason.KILL); // did not stop within the shutdown timeout
    }
    children.clear();
  }
}
