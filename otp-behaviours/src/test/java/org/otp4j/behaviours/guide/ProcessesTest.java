package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.guide.GuideTestKit.await;
import static org.otp4j.behaviours.guide.GuideTestKit.exitReason;
import static org.otp4j.behaviours.guide.GuideTestKit.expect;
import static org.otp4j.behaviours.guide.GuideTestKit.inProcess;
import static org.otp4j.behaviours.guide.GuideTestKit.next;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.MailboxOverflow;
import org.otp4j.core.Name;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.NoProcException;
import org.otp4j.core.NoSuchNameException;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessInfo;
import org.otp4j.core.ProcessStatus;
import org.otp4j.core.Ref;
import org.otp4j.core.SpawnOptions;

@DisplayName("Guide, chapter 2: processes")
@ExtendWith(CaptureReports.class)
class ProcessesTest {

  /** Runs {@code test} on a fresh node, with an inbox for the test thread. */
  private static void onNode(Consumer<Inbox> test) {
    onNode(NodeConfig.defaults(), test);
  }

  /**
   * Asserts that the node logged the crash of one plain process, {@code pid}, whose uncaught exception
   * says {@code text}. The node logs it after the process has exited: this waits for it.
   */
  private static void crashLogged(Reports reports, Pid pid, String text) {
    assertThat(reports.awaitLabel("process_crash", 1)).singleElement().satisfies(r -> {
      assertThat(r.get("pid")).isEqualTo(pid.toString());
      assertThat(String.valueOf(r.get("reason"))).contains(text);
    });
  }

  private static void onNode(NodeConfig config, Consumer<Inbox> test) {
    try (Node node = Node.start(config); Inbox inbox = node.openInbox()) {
      node.run(() -> test.accept(inbox));
    }
  }

  @Nested
  @DisplayName("spawn, send, receive")
  class Messages {
    @Test
    @DisplayName("the store answers a Get sent after a Put by the same sender with the value put")
    void store() {
      onNode(inbox -> assertThat(Processes.putThenGet())
          .isEqualTo(new Processes.Value("language", Optional.of("Erlang"))));
    }

    @Test
    @DisplayName("selective receive takes urgent jobs first and leaves the others in order")
    void selectiveReceive() {
      onNode(inbox -> {
        Pid worker = Proc.spawn(() -> {
          Proc.receive(m -> m.equals("go")); // the jobs sent before "go" stay in the mailbox
          Proc.send(inbox.pid(), Processes.takeUrgentFirst());
        });
        inbox.send(worker, new Processes.Job(1));
        inbox.send(worker, new Processes.Urgent(2));
        inbox.send(worker, new Processes.Job(3));
        inbox.send(worker, new Processes.Urgent(4));
        inbox.send(worker, "go");
        assertThat(next(inbox)).isEqualTo(List.of(new Processes.Urgent(2), new Processes.Urgent(4),
            new Processes.Job(1), new Processes.Job(3)));
      });
    }

    @Test
    @DisplayName("a receive with a timeout returns what came in time, or gives up")
    void receiveWithTimeout() {
      onNode(inbox -> {
        Pid ponger = Proc.spawn(() -> {
          while (true) {
            if (Proc.receive() instanceof Processes.Ping(Pid from)) {
              Proc.send(from, "pong");
            }
          }
        });
        Pid silent = Proc.spawn(() -> Proc.receive(m -> false));
        assertThat(inProcess(() -> Processes.ping(ponger, Duration.ofSeconds(5)))).isEqualTo("pong");
        assertThat(inProcess(() -> Processes.ping(silent, Duration.ofMillis(50))))
            .isEqualTo("no answer within 50 ms");
      });
    }

    @Test
    @DisplayName("ask gets its reply past a long backlog, and leaves the backlog where it was")
    void askPastABacklog() {
      onNode(inbox -> {
        Pid shouter = Processes.shouter();
        record Outcome(Object answer, int left) {}
        Outcome outcome = inProcess(() -> {
          for (int i = 0; i < 10_000; i++) {
            Proc.send(Proc.self(), "noise " + i);
          }
          Object answer = Processes.ask(shouter, "hello", Duration.ofSeconds(5));
          return new Outcome(answer, Proc.flush().size());
        });
        assertThat(outcome).isEqualTo(new Outcome("HELLO", 10_000));
      });
    }

    @Test
    @DisplayName("ask without a reply fails after its timeout")
    void askTimesOut(Reports reports) {
      onNode(inbox -> {
        Pid silent = Proc.spawn(() -> Proc.receive(m -> false));
        assertThatThrownBy(() -> inProcess(() -> Processes.ask(silent, "hello", Duration.ofMillis(20))))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("no reply to hello within");
        // inProcess's process ended with what its code threw, an uncaught exception
        assertThat(reports.awaitLabel("process_crash", 1)).singleElement()
            .satisfies(r -> assertThat(String.valueOf(r.get("reason"))).contains("no reply to hello within"));
      });
    }

    @Test
    @DisplayName("Proc.call works from a plain thread, and fails with noproc for a dead server")
    void procCall() {
      onNode(inbox -> {
        Pid measurer = Processes.measurer();
        assertThat(Processes.measure(measurer, "hello")).isEqualTo(5);
        assertThat(inProcess(() -> Processes.measure(measurer, "hi"))).isEqualTo(2);
        Proc.exit(measurer, ExitReason.KILL);
        assertThatThrownBy(() -> Processes.measure(measurer, "hello"))
            .isInstanceOfSatisfying(CallException.class,
                e -> assertThat(e.reason()).isIn(ExitReason.NOPROC, ExitReason.KILLED));
      });
    }

    @Test
    @DisplayName("a request by hand returns the answer, or nothing at once when the server is dead")
    void requestByHand() {
      onNode(inbox -> {
        Pid shouter = Processes.shouter();
        Pid dead = Proc.spawn(() -> { });
        exitReason(dead);
        record Outcome(Optional<Object> live, Optional<Object> dead, List<Object> left) {}
        Outcome o = inProcess(() -> new Outcome(
            Processes.request(shouter, "hi", Duration.ofSeconds(5)),
            Processes.request(dead, "hi", Proc.INFINITY), // the Down comes at once: no wait
            Proc.flush()));
        assertThat(o).isEqualTo(new Outcome(Optional.of("HI"), Optional.empty(), List.of()));
      });
    }
  }

  @Nested
  @DisplayName("links, exit signals, monitors")
  class LinksAndMonitors {
    @Test
    @DisplayName("a crash travels through a link and ends the linked process with the same reason")
    void linkPropagatesACrash(Reports reports) {
      onNode(inbox -> {
        ExitReason reason = exitReason(Links.parentOfACrasher());
        assertThat(reason).isInstanceOfSatisfying(ExitReason.Crash.class,
            c -> assertThat(c.error()).isInstanceOf(IllegalStateException.class).hasMessage("disk full"));
        // the crasher's own crash is logged; the parent, ended by the exit signal, is not
        assertThat(reports.awaitLabel("process_crash", 1)).singleElement()
            .satisfies(r -> assertThat(String.valueOf(r.get("reason"))).contains("disk full"));
      });
    }

    @Test
    @DisplayName("a process that traps exits receives the crash as a message and carries on")
    void trapExits(Reports reports) {
      onNode(inbox -> {
        Pid guardian = Links.guardian(inbox.pid());
        assertThat(next(inbox)).isInstanceOfSatisfying(ExitReason.Crash.class,
            c -> assertThat(c.toString()).isEqualTo("java.lang.IllegalStateException: disk full"));
        assertThat(exitReason(guardian)).isEqualTo(ExitReason.NORMAL);
        assertThat(reports.awaitLabel("process_crash", 1)).singleElement()
            .satisfies(r -> assertThat(String.valueOf(r.get("reason"))).contains("disk full"));
      });
    }

    @Test
    @DisplayName("the exit table: kill cannot be trapped and ends the receiver with killed")
    void killIsUntrappable() {
      onNode(inbox -> {
        Pid trapper = Proc.spawn(SpawnOptions.defaults().withTrapExits(true), () -> Proc.receive(m -> false));
        Proc.exit(trapper, ExitReason.KILL);
        assertThat(exitReason(trapper)).isEqualTo(ExitReason.KILLED);
      });
    }

    @Test
    @DisplayName("the exit table: normal from another process is ignored, unless trapped")
    void normalIsIgnored() {
      onNode(inbox -> {
        Pid plain = Proc.spawn(() -> Proc.receive(m -> m.equals("stop")));
        inbox.exit(plain, ExitReason.NORMAL);
        inbox.trapExits(true);
        inbox.exit(inbox.pid(), ExitReason.NORMAL); // to itself while trapping: a message
        assertThat(next(inbox)).isEqualTo(new ExitMessage(inbox.pid(), ExitReason.NORMAL));
        assertThat(Proc.isAlive(plain)).isTrue();
        inbox.send(plain, "stop");
        assertThat(exitReason(plain)).isEqualTo(ExitReason.NORMAL);
      });
    }

    @Test
    @DisplayName("the exit table: exit(self, normal) ends a process that does not trap exits")
    void normalToSelf() {
      onNode(inbox -> {
        Pid p = Proc.spawn(() -> {
          Proc.exit(Proc.self(), ExitReason.NORMAL);
          Proc.receive(m -> false);
        });
        assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
      });
    }

    @Test
    @DisplayName("the exit table: any other reason ends a non-trapping receiver, or arrives as a message")
    void otherReasons() {
      onNode(inbox -> {
        Pid plain = Proc.spawn(() -> Proc.receive(m -> false));
        inbox.exit(plain, ExitReason.of("boom"));
        assertThat(exitReason(plain)).isEqualTo(ExitReason.of("boom"));
        inbox.trapExits(true);
        Pid sender = Proc.spawn(() -> Proc.exit(inbox.pid(), ExitReason.of("boom")));
        assertThat(next(inbox)).isEqualTo(new ExitMessage(sender, ExitReason.of("boom")));
      });
    }

    @Test
    @DisplayName("the exit table: kill through a link can be trapped, and stays kill")
    void killThroughALink() {
      onNode(inbox -> {
        inbox.trapExits(true);
        Pid p = Proc.spawn(() -> {
          Proc.receive(m -> m.equals("go"));
          Proc.exit(ExitReason.KILL); // exits with reason kill itself
        });
        inbox.link(p);
        inbox.send(p, "go");
        assertThat(next(inbox)).isEqualTo(new ExitMessage(p, ExitReason.KILL));
      });
    }

    @Test
    @DisplayName("linking to a dead process throws NoProcException, or delivers ExitMessage(noproc) when trapping")
    void linkToTheDead() {
      onNode(inbox -> {
        Pid dead = Proc.spawn(() -> { });
        exitReason(dead);
        assertThatThrownBy(() -> inbox.link(dead)).isInstanceOf(NoProcException.class);
        inbox.trapExits(true);
        inbox.link(dead);
        assertThat(next(inbox)).isEqualTo(new ExitMessage(dead, ExitReason.NOPROC));
      });
    }

    @Test
    @DisplayName("exit(reason) throws ProcessExit; catching it cancels the exit")
    void exitCanBeCaught() {
      onNode(inbox -> {
        Pid p = Proc.spawn(() -> {
          try {
            Proc.exit(ExitReason.of("changed my mind"));
          } catch (RuntimeException e) {
            Proc.send(inbox.pid(), e.getClass().getSimpleName());
          }
        });
        assertThat(next(inbox)).isEqualTo("ProcessExit");
        assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
      });
    }

    @Test
    @DisplayName("a monitor reports the exit reason; a dead or unknown target gives noproc at once")
    void monitors(Reports reports) {
      onNode(inbox -> {
        Pid crasher = Proc.spawn(() -> {
          Proc.receive(m -> m.equals("go"));
          throw new IllegalArgumentException("bad input");
        });
        record Seen(ExitReason first, ExitReason second) {}
        Pid watcher = Proc.spawn(() -> {
          ExitReason first = Links.awaitDown(crasher);
          ExitReason second = Links.awaitDown(crasher); // monitoring the dead pid again
          Proc.send(inbox.pid(), new Seen(first, second));
        });
        await().until(() -> Proc.info(crasher).map(i -> !i.monitoredBy().isEmpty()).orElse(false));
        inbox.send(crasher, "go");
        Seen seen = (Seen) next(inbox);
        assertThat(seen.first().toString()).isEqualTo("java.lang.IllegalArgumentException: bad input");
        assertThat(seen.second()).isEqualTo(ExitReason.NOPROC);
        assertThat(exitReason(watcher)).isEqualTo(ExitReason.NORMAL);
        crashLogged(reports, crasher, "bad input");
      });
    }

    @Test
    @DisplayName("a monitor is one-way: the watcher's end does not touch the target")
    void monitorsAreOneWay(Reports reports) {
      onNode(inbox -> {
        Pid target = Proc.spawn(() -> Proc.receive(m -> false));
        Pid watcher = Proc.spawn(() -> {
          Proc.monitor(target);
          throw new IllegalStateException("watcher fails");
        });
        exitReason(watcher);
        assertThat(Proc.isAlive(target)).isTrue();
        Ref ref = inbox.monitor(target);
        assertThat(inbox.demonitor(ref)).isTrue();
        Proc.exit(target, ExitReason.KILL);
        exitReason(target);
        assertThat(inbox.receive(Duration.ZERO)).as("no Down after demonitor").isEmpty();
        crashLogged(reports, watcher, "watcher fails");
      });
    }
  }

  @Nested
  @DisplayName("names and registries")
  class Naming {
    @Test
    @DisplayName("register, send by name, whereis; conflicts and unknown names are errors")
    void localNames() {
      onNode(inbox -> {
        Optional<Pid> audit = Names.registerAudit(inbox.pid());
        assertThat(audit).isPresent();
        assertThat(next(inbox)).isEqualTo("audit: user 42 signed in");
        Pid other = Proc.spawn(() -> Proc.receive(m -> false));
        assertThatThrownBy(() -> Proc.register("audit", other)).isInstanceOf(NameConflictException.class);
        assertThatThrownBy(() -> Proc.send("nobody", "hello")).isInstanceOf(NoSuchNameException.class)
            .hasMessageContaining("no process is registered as nobody");
      });
    }

    @Test
    @DisplayName("a name is free again before the Down of its old holder is delivered")
    void nameFreedBeforeDown() {
      onNode(inbox -> {
        Pid audit = Names.registerAudit(inbox.pid()).orElseThrow();
        next(inbox);
        Ref ref = inbox.monitor(audit);
        Proc.exit(audit, ExitReason.KILL);
        expect(inbox, m -> m instanceof Down d && d.ref() == ref, "the Down");
        assertThat(Proc.whereis("audit")).isEmpty();
        Pid successor = Proc.spawn(() -> Proc.receive(m -> false));
        Proc.register("audit", successor); // does not throw
        assertThat(Proc.whereis("audit")).contains(successor);
      });
    }

    @Test
    @DisplayName("a via name through a unique Registry reaches the device; the key is freed on exit")
    void viaNames() {
      onNode(inbox -> {
        Pid device = Names.startDevice("sn-0042", inbox.pid());
        Names.reboot("sn-0042");
        assertThat(next(inbox)).isEqualTo("sn-0042: reboot");
        assertThat(Proc.whereis(Name.via(Names.DEVICES, "sn-0042"))).contains(device);
        Proc.exit(device, ExitReason.KILL);
        exitReason(device);
        assertThat(Names.DEVICES.lookup("sn-0042")).isEmpty();
        assertThatThrownBy(() -> Names.reboot("sn-0042")).isInstanceOf(NoSuchNameException.class);
      });
    }

    @Test
    @DisplayName("a duplicate Registry delivers a publication to every live subscriber")
    void pubSub() {
      onNode(inbox -> {
        Pid first = Names.subscriber("prices", inbox.pid());
        Pid second = Names.subscriber("prices", inbox.pid());
        assertThat(next(inbox)).isEqualTo("subscribed");
        assertThat(next(inbox)).isEqualTo("subscribed");
        Names.Price price = new Names.Price("ACME", 10_150);
        assertThat(Names.publish(price)).isEqualTo(2);
        assertThat(next(inbox)).isEqualTo(price);
        assertThat(next(inbox)).isEqualTo(price);
        Proc.exit(first, ExitReason.KILL);
        exitReason(first);
        assertThat(Names.publish(price)).isEqualTo(1);
        assertThat(Names.TOPICS.lookup("prices")).extracting(e -> e.pid()).containsExactly(second);
        Proc.exit(second, ExitReason.KILL);
      });
    }
  }

  @Nested
  @DisplayName("timers, bounded mailboxes, process info")
  class TimersAndMailboxes {
    @Test
    @DisplayName("a cancelled timer tells the time that was left; startTimer delivers a TimeoutMessage")
    void timers() {
      onNode(inbox -> {
        Mailboxes.TimerFacts facts = inProcess(Mailboxes::timers);
        assertThat(facts.leftOnCancel()).hasValueSatisfying(left ->
            assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5)));
        assertThat(facts.fired().message()).isEqualTo("tick");
      });
    }

    @Test
    @DisplayName("a full REJECT mailbox refuses the message and counts it")
    void rejectPolicy() {
      onNode(inbox -> {
        CountDownLatch release = new CountDownLatch(1);
        Pid ingest = Mailboxes.startIngest(2, release::await);
        assertThat(Mailboxes.offer(ingest, 1)).isTrue();
        assertThat(Mailboxes.offer(ingest, 2)).isTrue();
        assertThat(Mailboxes.offer(ingest, 3)).isFalse();
        ProcessInfo info = Proc.info(ingest).orElseThrow();
        assertThat(info.mailboxLength()).isEqualTo(2);
        assertThat(info.droppedMessages()).isEqualTo(1);
        Ref ref = inbox.monitor(ingest); // a Down is never refused, full mailbox or not
        release.countDown();
        expect(inbox, m -> m instanceof Down d && d.ref() == ref, "the Down of the ingest process");
      });
    }

    @Test
    @DisplayName("DROP_NEWEST drops silently; EXIT ends the process with mailbox_overflow")
    void otherPolicies() {
      onNode(inbox -> {
        CountDownLatch never = new CountDownLatch(1);
        Pid dropper = Proc.spawn(SpawnOptions.defaults().withMailbox(1, MailboxOverflow.DROP_NEWEST), never::await);
        Proc.send(dropper, "kept");
        Proc.send(dropper, "dropped");
        assertThat(Proc.info(dropper).orElseThrow().droppedMessages()).isEqualTo(1);
        Pid exiter = Proc.spawn(SpawnOptions.defaults().withMailbox(1, MailboxOverflow.EXIT), never::await);
        Proc.send(exiter, "kept");
        Proc.send(exiter, "one too many");
        assertThat(exitReason(exiter)).isEqualTo(ExitReason.of("mailbox_overflow"));
        Proc.exit(dropper, ExitReason.KILL);
      });
    }

    @Test
    @DisplayName("process info tells waiting in receive, in a call, and blocked outside the runtime")
    void processInfo(Reports reports) {
      onNode(inbox -> {
        CountDownLatch never = new CountDownLatch(1);
        Pid receiving = Proc.spawn(() -> Proc.receive(m -> false));
        Pid blocked = Proc.spawn(never::await);
        Pid calling = Proc.spawn(() -> Proc.call(receiving, from -> "hello", Proc.INFINITY));
        await().untilAsserted(() -> {
          ProcessInfo r = Proc.info(receiving).orElseThrow();
          assertThat(r.status()).isEqualTo(ProcessStatus.WAITING);
          assertThat(r.blockedOn()).isEqualTo("receive");
          assertThat(r.mailboxLength()).isEqualTo(1); // the call's request, which it does not take
          assertThat(Proc.info(blocked).orElseThrow().status()).isEqualTo(ProcessStatus.BLOCKED);
          assertThat(Proc.info(calling).orElseThrow().blockedOn()).isEqualTo("call to " + receiving);
        });
        Proc.exit(receiving, ExitReason.KILL);
        assertThat(Proc.info(receiving)).isEmpty();
        Proc.exit(blocked, ExitReason.KILL);
        crashLogged(reports, calling, "killed"); // its call failed: the server it called was killed
      });
    }
  }

  @Nested
  @DisplayName("kill, long computations, runaways")
  class LongRunning {
    @Test
    @DisplayName("a killed computation is dead at once; its thread ends at its next checkpoint")
    void killACruncher() {
      try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
        node.run(() -> {
          Pid cruncher = LongComputations.startAndKill();
          assertThat(Proc.isAlive(cruncher)).isFalse();
          assertThat(exitReason(cruncher)).isEqualTo(ExitReason.KILLED);
        });
        node.stop();
        assertThat(node.awaitTermination(GuideTestKit.WAIT)).as("the cruncher's thread has ended").isTrue();
      }
    }

    @Test
    @DisplayName("the checkpointed sum is right")
    void sumIsRight() {
      assertThat(LongComputations.sumOfSquares(1_000_000))
          .isEqualTo(1_000_000L * 1_000_001L * 2_000_001L / 6);
    }

    @Test
    @DisplayName("a process that computes without coming back is reported as a runaway; one with checkpoints is not")
    void runaways(Reports reports) {
      // A threshold of a second: the cruncher below is judged undisturbed only if no two of its calls
      // took half of it, which a 2-core machine running other builds still allows.
      Duration threshold = Duration.ofSeconds(1);
      onNode(NodeConfig.defaults().withRunawayThreshold(threshold), inbox -> {
        AtomicBoolean release = new AtomicBoolean();
        Pid spinner = Proc.spawn(() -> {
          while (!release.get()) {
            Thread.onSpinWait();
          }
        });
        await().until(() -> Proc.info(spinner).map(ProcessInfo::runaway).orElse(false));
        release.set(true);
        assertThat(exitReason(spinner)).isEqualTo(ExitReason.NORMAL);
        // The watchdog marks the process, then counts it, then logs it with its stack: once the log
        // is there, so is the count.
        await().until(() -> !reports.events(Reports.NODE).isEmpty());
        assertThat(reports.events(Reports.NODE)).singleElement().satisfies(e -> {
          assertThat(e.getLevel().toString()).isEqualTo("WARN");
          assertThat(Reports.keyValues(e).get("pid")).isEqualTo(spinner.toString());
          assertThat(e.getFormattedMessage()).contains("without returning to the runtime");
        });
        assertThat(Node.current().stats().runaways()).isEqualTo(1);

        // The cruncher comes back to the runtime at least every other call of sumOfSquares; it also
        // measures its longest call. The watchdog counts in ticks of 50 ms or more and reports only a
        // stretch as long as the threshold (20 ticks): if no two calls took half of it, this one must
        // not be reported. A cruncher descheduled for that long (a loaded machine) may be, and is
        // run again.
        record Crunched(boolean reported, Duration longestCall) {}
        BehaviourTestKit.untilUndisturbed("a computation with checkpoints", () -> {
          long runawaysBefore = Node.current().stats().runaways();
          Pid cruncher = Proc.spawn(() -> {
            long end = System.nanoTime() + threshold.multipliedBy(2).toNanos();
            long longest = 0;
            while (System.nanoTime() < end) {
              long call = System.nanoTime();
              LongComputations.sumOfSquares(2_000_000);
              longest = Math.max(longest, System.nanoTime() - call);
            }
            Proc.send(inbox.pid(), new Crunched(Proc.info(Proc.self()).orElseThrow().runaway(),
                Duration.ofNanos(longest)));
          });
          Crunched crunched = (Crunched) next(inbox);
          assertThat(exitReason(cruncher)).isEqualTo(ExitReason.NORMAL);
          if (crunched.longestCall().multipliedBy(2).compareTo(threshold.dividedBy(2)) >= 0) {
            return false;
          }
          assertThat(crunched.reported()).as("the cruncher was reported").isFalse();
          assertThat(Node.current().stats().runaways()).as("runaways").isEqualTo(runawaysBefore);
          return true;
        });
      });
    }
  }
}
