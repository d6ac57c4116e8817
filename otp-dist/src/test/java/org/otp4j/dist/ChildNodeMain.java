package org.otp4j.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.core.NodeDown;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A node in a JVM of its own, started by {@link MultiJvmTest}, {@link PartitionJvmTest} and
 * {@link DistBenchMain}: joins the TCP cluster, runs a process registered as {@code echo} that
 * answers every {@link Ping}, one registered as {@code sink} (and seven more, {@code sink1} to
 * {@code sink7}) that count them until an "end", and one registered as {@code observer} (see
 * {@link #observer}); says READY on its standard output once it sees the node it was told to wait
 * for, then runs the commands of its standard input, one a line, each answered with a line (see
 * {@link #command}), and ends when its standard input closes (so that it never outlives the test).
 *
 * <p>Arguments: node name, cluster name, secret, own port, seed port, node to wait for.
 */
public final class ChildNodeMain {
  private ChildNodeMain() {}

  /** Counts the {@link Ping}s it receives until an "end", which it answers with the count. */
  private static void sink() {
    long count = 0;
    while (true) {
      if (Proc.receive() instanceof Ping(Pid from, String text)) {
        if (text.equals("end")) {
          Proc.send(from, new Ping(Proc.self(), Long.toString(count)));
          count = 0;
        } else {
          count++;
        }
      }
    }
  }

  /**
   * Writes down, as lines of text, every node event, exit signal and down it receives; a
   * {@code Ping(from, "watch")} makes it trap exits, link to and monitor {@code from} (answered
   * "watching"), a {@code Ping(from, "log")} is answered with what it wrote down, one entry a line.
   */
  private static void observer() {
    Proc.trapExits(true);
    Proc.monitorNodes(true);
    List<String> log = new ArrayList<>();
    while (true) {
      switch (Proc.receive()) {
        case Ping(Pid from, String text) when text.equals("watch") -> {
          Proc.link(from);
          Proc.monitor(from);
          Proc.send(from, new Ping(Proc.self(), "watching"));
        }
        case Ping(Pid from, String text) when text.equals("log") ->
            Proc.send(from, new Ping(Proc.self(), String.join("\n", log)));
        case NodeUp up -> log.add("NODEUP " + up.node());
        case NodeDown down -> log.add("NODEDOWN " + down.node());
        case ExitMessage exit -> log.add("EXIT " + describe(exit.from()) + " " + exit.reason());
        case Down down -> log.add("DOWN " + down.pid().map(ChildNodeMain::describe).orElse("?") + " " + down.reason());
        default -> { }
      }
    }
  }

  /** A pid as the commands print it: its node's name, a slash, its serial. */
  static String describe(Pid pid) {
    return pid.nodeName() + "/" + pid.serial();
  }

  /** Pids as the commands print them: described, sorted, separated by commas. */
  static String describe(List<Pid> pids) {
    return pids.stream().map(ChildNodeMain::describe).sorted().collect(Collectors.joining(","));
  }

  /**
   * Runs one command and returns its answer:
   * <ul>
   *   <li>{@code services}: starts {@link Global} and the {@link Pg} scope {@value #SCOPE}; SERVICES</li>
   *   <li>{@code await-up NODE}, {@code await-down NODE}: waits until NODE is connected (not
   *       connected); UP NODE, DOWN NODE</li>
   *   <li>{@code register NAME}: registers a new idle process globally; REGISTERED NAME true|false pid</li>
   *   <li>{@code join GROUP}: joins a new idle process to GROUP; JOINED GROUP pid</li>
   *   <li>{@code await-global NAME NODE}: waits until NAME is held by a process of NODE; GLOBAL NAME pid</li>
   *   <li>{@code await-members GROUP N}: waits until GROUP has N members; MEMBERS GROUP pids</li>
   * </ul>
   * A wait that lasts longer than {@value #PATIENCE_SECONDS} seconds answers TIMEOUT and what it saw.
   */
  private static String command(Node node, String line) throws InterruptedException {
    String[] words = line.trim().split(" ");
    return switch (words[0]) {
      case "services" -> {
        Global.start(node);
        Pg.start(node, SCOPE);
        yield "SERVICES";
      }
      case "await-up" -> await(() -> node.connectedNodes().contains(words[1]), () -> "UP " + words[1],
          node::connectedNodes);
      case "await-down" -> await(() -> !node.connectedNodes().contains(words[1]), () -> "DOWN " + words[1],
          node::connectedNodes);
      case "register" -> {
        Pid idle = node.spawn(() -> Proc.receive(m -> m.equals("stop")));
        boolean mine = node.call(() -> Global.registerName(words[1], idle));
        yield "REGISTERED " + words[1] + " " + mine + " " + describe(idle);
      }
      case "join" -> {
        Pid idle = node.spawn(() -> Proc.receive(m -> m.equals("stop")));
        node.run(() -> Pg.join(SCOPE, words[1], idle));
        yield "JOINED " + words[1] + " " + describe(idle);
      }
      case "await-global" -> {
        Supplier<Optional<Pid>> held = () -> node.call(() -> Global.whereis(words[1]));
        yield await(() -> held.get().map(Pid::nodeName).equals(Optional.of(words[2])),
            () -> "GLOBAL " + words[1] + " " + describe(held.get().orElseThrow()), held);
      }
      case "await-members" -> {
        Supplier<List<Pid>> members = () -> node.call(() -> Pg.members(SCOPE, words[1]));
        yield await(() -> members.get().size() == Integer.parseInt(words[2]),
            () -> "MEMBERS " + words[1] + " " + describe(members.get()), members);
      }
      default -> "UNKNOWN " + line;
    };
  }

  /** The scope of {@link Pg} the {@code services} command starts. */
  static final String SCOPE = "parts";
  private static final int PATIENCE_SECONDS = 20;

  private static String await(BooleanSupplier condition, Supplier<String> answer, Supplier<?> seen)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(PATIENCE_SECONDS).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return "TIMEOUT seeing " + seen.get();
      }
      Thread.sleep(10); // a standalone program polling a condition, not a test's synchronisation
    }
    return answer.get();
  }

  /**
   * Runs the node.
   *
   * @param args node name, cluster name, secret, own port, seed port, node to wait for
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    Cluster cluster = Cluster.tcp(args[1], new InetSocketAddress(loopback, Integer.parseInt(args[3])),
            List.of(new InetSocketAddress(loopback, Integer.parseInt(args[4]))))
        .withSecret(args[2])
        .withCodec(TermCodec.builder().allow(Ping.class).build())
        .withFailureTimeout(Duration.ofSeconds(3));
    Node node = Node.start(args[0], NodeConfig.defaults().withTransport(cluster));
    Pid echo = node.spawn(Ping::echo);
    Pid observer = node.spawn(ChildNodeMain::observer);
    node.run(() -> Proc.register("observer", observer));
    node.run(() -> Proc.register("echo", echo));
    for (int i = 0; i < 8; i++) {
      Pid sink = node.spawn(ChildNodeMain::sink);
      String name = i == 0 ? "sink" : "sink" + i;
      node.run(() -> Proc.register(name, sink));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!node.connectedNodes().contains(args[5])) {
      if (System.nanoTime() > deadline) {
        System.out.println("TIMEOUT waiting for " + args[5]);
        System.exit(2);
      }
      Thread.sleep(10); // a standalone program polling a condition, not a test's synchronisation
    }
    System.out.println("READY");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) { // until the parent closes our input
      String answer;
      try {
        answer = command(node, line);
      } catch (RuntimeException e) {
        answer = "ERROR " + e;
      }
      System.out.println(answer);
      System.out.flush();
    }
    node.close();
    System.exit(0);
  }
}
