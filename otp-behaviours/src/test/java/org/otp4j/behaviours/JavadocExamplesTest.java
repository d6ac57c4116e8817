package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.Call;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** The examples of otp-behaviours' Javadoc, each a region that the Javadoc quotes, run here. */
@DisplayName("The Javadoc's examples run")
class JavadocExamplesTest {

  // region: counter
  public static final class Counter extends GenServer<Integer, Counter.Msg> {
    public sealed interface Msg {
      record Get() implements Msg, Call<Integer> {}
      record Bump(int by) implements Msg, Call<Integer> {}
      record Reset() implements Msg {}
    }

    private final int initial;

    private Counter(int initial) { this.initial = initial; }

    // client API: what callers use, from a process or any thread
    public static ServerRef<Msg> startLink(int initial) { return GenServer.startLink(new Counter(initial)); }
    public static int get(ServerRef<Msg> counter) { return GenServer.call(counter, new Msg.Get()); }
    public static int bump(ServerRef<Msg> counter, int by) { return GenServer.call(counter, new Msg.Bump(by)); }
    public static void reset(ServerRef<Msg> counter) { GenServer.cast(counter, new Msg.Reset()); }

    // server callbacks: run inside the server process, one message at a time
    @Override protected Init<Integer> init() { return Init.ok(initial); }

    @Override protected CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
      return switch (msg) {
        case Msg.Get get -> reply(get, n, n);
        case Msg.Bump bump -> reply(bump, n + bump.by(), n + bump.by());
        case Msg.Reset reset -> reply(null, n);
      };
    }

    @Override protected CastResult<Integer> handleCast(Msg msg, Integer n) {
      return switch (msg) {
        case Msg.Reset reset -> noReply(0);
        case Msg.Get get -> noReply(n);
        case Msg.Bump(int by) -> noReply(n + by);
      };
    }
  }
  // endregion: counter

  @Test
  @DisplayName("GenServer: the typed counter, called from a plain thread")
  void counter() {
    try (Node node = Node.start()) {
      node.run(() -> {
        ServerRef<Counter.Msg> counter = Counter.startLink(1);
        // region: call
        int n = GenServer.call(counter, new Counter.Msg.Get());   // Get implements Msg, Call<Integer>
        // endregion: call
        assertThat(n).isEqualTo(1);
        assertThat(Counter.bump(counter, 2)).isEqualTo(3);
        Counter.reset(counter);
        assertThat(Counter.get(counter)).isZero();
        GenServer.stop(counter);
      });
    }
  }

  // region: door
  public static final class Door extends GenStatem<Door.State, String, Door.Msg> {
    public enum State { LOCKED, OPEN }

    public sealed interface Msg {
      record Unlock(String code) implements Msg, Call<String> {}
    }

    @Override protected Init<State, String> init() { return Init.ok(State.LOCKED, "1234"); }

    @Override protected Result<State, String> handleEvent(Event<Msg> event, State state, String code) {
      return switch (state) {
        case LOCKED -> switch (event) {
          case Event.Call(From from, Msg.Unlock u) when u.code().equals(code) -> nextState(State.OPEN, code,
              Action.reply(from, u, "open"), Action.stateTimeout(Duration.ofSeconds(10), "lock"));
          case Event.Call(From from, Msg.Unlock u) -> keepStateAndData(Action.reply(from, u, "wrong code"));
          default -> keepStateAndData(Action.postpone());
        };
        case OPEN -> switch (event) {
          case Event.StateTimeout<Msg> lock -> nextState(State.LOCKED, code);
          case Event.Call(From from, Msg.Unlock u) -> keepStateAndData(Action.reply(from, u, "already open"));
          default -> keepStateAndData();
        };
      };
    }
  }
  // endregion: door

  @Test
  @DisplayName("GenStatem: the typed door")
  void door() {
    try (Node node = Node.start()) {
      node.run(() -> {
        ServerRef<Door.Msg> door = GenStatem.start(new Door());
        String wrong = GenStatem.call(door, new Door.Msg.Unlock("0000"), Duration.ofSeconds(5));
        String right = GenStatem.call(door, new Door.Msg.Unlock("1234"), Duration.ofSeconds(5));
        String again = GenStatem.call(door, new Door.Msg.Unlock("1234"), Duration.ofSeconds(5));
        assertThat(List.of(wrong, right, again)).containsExactly("wrong code", "open", "already open");
        GenStatem.stop(door);
      });
    }
  }

  // region: supervisor-class
  public static final class AppSupervisor extends Supervisor {
    @Override protected Spec init() {
      return Spec.of(Supervisor.restForOne().withIntensity(3, Duration.ofSeconds(10)),
          ChildSpec.worker("counter", () -> Counter.startLink(0)),
          ChildSpec.supervisor("workers", () -> DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults())));
    }
  }
  // endregion: supervisor-class

  @Test
  @DisplayName("Supervisor, ChildSpec, DynamicSupervisor")
  void supervisors() {
    boolean enabled = false;
    try (Node node = Node.start()) {
      node.run(() -> BehaviourTestKit.inProcess(() -> {
        // region: supervisor
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("counter", () -> Counter.startLink(0)),
            ChildSpec.worker("other", () -> Counter.startLink(10)));
        // endregion: supervisor
        assertThat(Supervisor.countChildren(sup).active()).isEqualTo(2);
        Pid app = Supervisor.startLink(new AppSupervisor());
        assertThat(Supervisor.countChildren(app).supervisors()).isEqualTo(1);
        List<ChildSpec> specs = List.of(
            // region: childspecs
            ChildSpec.worker("counter", () -> Counter.startLink(0)),           // permanent, 5 s shutdown
            ChildSpec.worker("cache", () -> Counter.startLink(1)).withRestart(ChildSpec.Restart.TRANSIENT),
            ChildSpec.worker("maybe", () -> enabled ? Counter.startLink(2) : StartResult.ignore()),   // OTP's ignore
            ChildSpec.supervisor("rooms", () -> Supervisor.startLink(Supervisor.oneForOne()))   // shutdown infinity
            // endregion: childspecs
        );
        Pid tree = Supervisor.startLink(Supervisor.of(Supervisor.oneForOne(), specs));
        assertThat(Supervisor.countChildren(tree).active()).isEqualTo(3); // "maybe" ignored itself

        // region: dynamic
        // Elixir style: any child spec
        Pid dyn = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults().withMaxChildren(10_000));
        DynamicSupervisor.startChild(dyn, ChildSpec.worker("counter", () -> Counter.startLink(0)));

        // simple_one_for_one style: one template, an argument per child
        Pid counters = DynamicSupervisor.startLink(Name.local("counters"), DynamicSupervisor.Options.defaults(),
            DynamicSupervisor.Template.worker((Integer initial) -> Counter.startLink(initial)));
        DynamicSupervisor.startChildWith(Name.local("counters"), 42);
        // endregion: dynamic
        assertThat(DynamicSupervisor.countChildren(dyn).active()).isEqualTo(1);
        Pid child = DynamicSupervisor.whichChildren(counters).getFirst().pid();
        assertThat(Counter.get(ServerRef.of(child))).isEqualTo(42);
        for (Pid p : List.of(counters, dyn, tree, app, sup)) {
          Supervisor.stop(p);
        }
        return null;
      }));
    }
  }

  record Alarm(String what) {}

  // region: handler
  static final class Seen extends EventHandler<Integer, Alarm> {
    static final String ID = "seen";
    record HowMany() implements Call<Integer> {}

    @Override public Object id() { return ID; }
    @Override protected InitResult<Integer> init() { return InitResult.ok(0); }
    @Override protected EventResult<Integer> handleEvent(Alarm alarm, Integer n) { return EventResult.ok(n + 1); }
    @Override protected CallResult<Integer> handleCall(Object request, Integer n) {
      return request instanceof HowMany q ? CallResult.reply(q, n, n) : CallResult.ok("?", n);
    }
  }
  // endregion: handler

  /** A handler that only records that it was installed for a team. */
  static final class Pager extends EventHandler<String, Alarm> {
    private final String team;

    Pager(String team) {
      this.team = team;
    }

    @Override
    protected InitResult<String> init() {
      return InitResult.ok(team);
    }
  }

  @Test
  @DisplayName("GenEvent: a typed manager, handlers called by id")
  void events() {
    try (Node node = Node.start()) {
      node.run(() -> BehaviourTestKit.inProcess(() -> {
        // region: manager
        ServerRef<Alarm> alarms = GenEvent.startLink(ServerRef.local("alarms"));
        GenEvent.addHandler(alarms, new Seen());
        GenEvent.addSupervisedHandler(alarms, new Pager("team-a"));   // this process is told when it goes
        GenEvent.notify(alarms, new Alarm("disk full"));             // asynchronous
        GenEvent.syncNotify(alarms, new Alarm("cpu hot"));           // returns once every handler has it
        int seen = GenEvent.call(alarms, Seen.ID, new Seen.HowMany());
        // endregion: manager
        assertThat(seen).isEqualTo(2);
        assertThat(GenEvent.whichHandlers(alarms)).hasSize(2);
        GenEvent.stop(alarms);
        Object exit = Proc.receive(m -> m instanceof GenEvent.HandlerExit, Duration.ofSeconds(5)).orElseThrow();
        assertThat(((GenEvent.HandlerExit) exit).reason()).isEqualTo(ExitReason.SHUTDOWN);
        return null;
      }));
    }
  }

  @Test
  @DisplayName("NodeSnapshot: the node as text")
  void snapshot() {
    try (Node node = Node.start()) {
      node.run(() -> {
        // region: snapshot
        System.out.println(NodeSnapshot.of(Node.current()).render());
        // endregion: snapshot
        try (Inbox inbox = node.openInbox()) {
          assertThat(NodeSnapshot.of(node).others()).extracting(p -> p.pid()).contains(inbox.pid());
        }
      });
    }
  }

  // region: app
  public static final class CounterApp extends Application {
    @Override protected Pid start(Type type) {
      int initial = Application.getEnv("counters", "initial", 0);
      return Supervisor.startLink(Supervisor.oneForOne(),   // the top supervisor
          ChildSpec.worker("counter", () -> Counter.startLink(initial)));
    }
  }
  // endregion: app

  @Test
  @DisplayName("Application and AppDescriptor: load, start with dependencies, stop")
  void applications() {
    try (Node node = Node.start()) {
      node.run(() -> {
        // region: descriptor
        AppDescriptor counters = AppDescriptor.of("counters", CounterApp::new)
            .withVersion("1.2.0")
            .withDescription("counters, supervised")
            .dependsOn("store")
            .withEnv("initial", 7);
        // endregion: descriptor
        // region: load
        Application.load(counters);
        Application.load(AppDescriptor.library("store"));
        List<String> started = Application.ensureAllStarted("counters", Application.Type.TEMPORARY); // [store, counters]
        // endregion: load
        assertThat(started).containsExactly("store", "counters");
        assertThat(Application.getEnv("counters", "initial")).contains(7);
        Application.stop("counters");
      });
    }
  }

  @Test
  @DisplayName("Sys: the log of a running server")
  void sys() {
    try (Node node = Node.start()) {
      node.run(() -> {
        ServerRef<Counter.Msg> counter = Counter.startLink(0);
        // region: sys
        Sys.log(counter, 20);                 // keep the last 20 events
        Counter.bump(counter, 1);
        List<Sys.Event> events = Sys.getLog(counter);
        Sys.trace(counter, true);             // every event to SLF4J logger org.otp4j.behaviours.Sys
        // endregion: sys
        Sys.trace(counter, false);
        assertThat(events).isNotEmpty();
        assertThat(Sys.getState(counter)).isEqualTo(1);
        GenServer.stop(counter);
      });
    }
  }
}
