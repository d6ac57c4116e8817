package org.otp4j.behaviours;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.otp4j.core.CallException;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.ProcessInfo;
import org.otp4j.core.ProcessStatus;

/**
 * A snapshot of a whole node, as Erlang's {@code observer} shows it: each running application with
 * its supervision tree, every process with its name, status, mailbox length and links, and the
 * processes outside any tree. {@link #render()} prints it as text.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#snapshot -->
 * {@snippet :
 * System.out.println(NodeSnapshot.of(Node.current()).render());
 * }
 *
 * <p>Supervision trees are read with {@link Supervisor#whichChildren}, one supervisor at a time,
 * each with a short timeout: a supervisor busy restarting children shows as {@code busy} rather than
 * blocking the snapshot. Taking a snapshot does not stop the node; processes keep running while it
 * is read, so it is a close picture, not an atomic one.
 *
 * @param node the node's name
 * @param stats its counters when the snapshot was taken
 * @param applications the running applications, in start order
 * @param others the processes that are in no application's tree
 */
public record NodeSnapshot(String node, Node.Stats stats, List<NodeSnapshot.AppTree> applications,
    List<ProcessInfo> others) {

  private static final Duration SUPERVISOR_TIMEOUT = Duration.ofSeconds(1);

  /**
   * One process in a tree.
   *
   * @param info the process info, or empty if it terminated while the snapshot was taken
   * @param pid the process
   * @param childId its id in its supervisor (null for a top supervisor or a dynamic child)
   * @param supervisor whether it is a supervisor
   * @param busy whether it is a supervisor that did not answer in time
   * @param children its children, if it is a supervisor, oldest first
   */
  public record Tree(Optional<ProcessInfo> info, Pid pid, Object childId, boolean supervisor, boolean busy,
      List<Tree> children) {}

  /**
   * A running application and its supervision tree.
   *
   * @param application the application
   * @param tree its top supervisor's tree, or null for a library application
   */
  public record AppTree(Application.Info application, Tree tree) {}

  /** The snapshot as text: one line per process, trees indented. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("node ").append(node).append(": ").append(stats.alive()).append(" processes alive, ")
        .append(stats.spawned()).append(" spawned, ").append(stats.crashed()).append(" crashed, ")
        .append(stats.runaways()).append(" runaways\n");
    sb.append("applications:\n");
    if (applications.isEmpty()) {
      sb.append("  (none running)\n");
    }
    for (AppTree app : applications) {
      Application.Info a = app.application();
      sb.append("  ").append(a.name()).append(' ').append(a.version()).append(" (").append(
          a.type() == null ? "?" : a.type().name().toLowerCase(java.util.Locale.ROOT)).append(")");
      if (!a.description().isEmpty()) {
        sb.append(" - ").append(a.description());
      }
      sb.append('\n');
      if (app.tree() != null) {
        renderTree(sb, app.tree(), "    ", "    ");
      }
    }
    sb.append("other processes:\n");
    if (others.isEmpty()) {
      sb.append("  (none)\n");
    }
    for (ProcessInfo p : others) {
      sb.append("  ").append(describe(p.pid(), Optional.of(p), null, false, false)).append('\n');
    }
    return sb.toString();
  }

  private static void renderTree(StringBuilder sb, Tree t, String first, String rest) {
    sb.append(first).append(describe(t.pid(), t.info(), t.childId(), t.supervisor(), t.busy())).append('\n');
    List<Tree> children = t.children();
    for (int i = 0; i < children.size(); i++) {
      boolean last = i == children.size() - 1;
      renderTree(sb, children.get(i), rest + (last ? "`-- " : "|-- "), rest + (last ? "    " : "|   "));
    }
  }

  private static String describe(Pid pid, Optional<ProcessInfo> info, Object childId, boolean supervisor,
      boolean busy) {
    StringBuilder sb = new StringBuilder();
    sb.append(pid);
    if (childId != null) {
      sb.append(' ').append(childId);
    }
    info.flatMap(ProcessInfo::registeredName).ifPresent(n -> sb.append(" name=").append(n));
    if (supervisor) {
      sb.append(" [supervisor]");
    }
    if (info.isEmpty()) {
      sb.append(" (terminated)");
      return sb.toString();
    }
    ProcessInfo p = info.get();
    sb.append(' ').append(p.status().name().toLowerCase(java.util.Locale.ROOT));
    if (p.status() == ProcessStatus.WAITING && !p.blockedOn().isEmpty()) {
      sb.append(" (").append(p.blockedOn()).append(')');
    }
    sb.append(" mq=").append(p.mailboxLength());
    sb.append(" links=").append(p.links().size());
    if (p.trapExits()) {
      sb.append(" trapping");
    }
    if (p.runaway()) {
      sb.append(" RUNAWAY");
    }
    if (busy) {
      sb.append(" (busy: did not answer)");
    }
    return sb.toString();
  }

  /** Takes a snapshot of {@code node}. Call it from a plain thread or from a process. */
  public static NodeSnapshot of(Node node) {
    Objects.requireNonNull(node, "node");
    Map<Pid, ProcessInfo> all = new HashMap<>();
    for (ProcessInfo p : node.processes()) {
      all.put(p.pid(), p);
    }
    List<AppTree> apps = new ArrayList<>();
    Set<Pid> inTrees = new HashSet<>();
    List<Application.Info> running = new ArrayList<>();
    node.run(() -> running.addAll(node.whereis(ApplicationController.NAME.name()).isPresent()
        ? Application.running() : List.of()));
    for (Application.Info a : running) {
      Tree t = a.topSupervisor() == null ? null : tree(a.topSupervisor(), null, true, all, inTrees);
      apps.add(new AppTree(a, t));
    }
    List<ProcessInfo> others = new ArrayList<>();
    for (ProcessInfo p : node.processes()) {
      if (!inTrees.contains(p.pid())) {
        others.add(p);
      }
    }
    return new NodeSnapshot(node.name() + "#" + node.index(), node.stats(), apps, others);
  }

  private static Tree tree(Pid pid, Object childId, boolean supervisor, Map<Pid, ProcessInfo> all, Set<Pid> seen) {
    seen.add(pid);
    Optional<ProcessInfo> info = Optional.ofNullable(all.get(pid));
    if (!supervisor || info.isEmpty()) {
      return new Tree(info, pid, childId, supervisor, false, List.of());
    }
    List<?> children;
    try {
      children = (List<?>) Gen.call("Supervisor.whichChildren", pid, new Supervision.Request.WhichChildren(),
          SUPERVISOR_TIMEOUT);
    } catch (CallException e) {
      return new Tree(info, pid, childId, true, true, List.of());
    }
    List<Tree> subtrees = new ArrayList<>();
    for (Object o : children.reversed()) {
      Supervisor.Child c = (Supervisor.Child) o;
      if (c.pid() != null) {
        subtrees.add(tree(c.pid(), c.id(), c.type() == ChildSpec.Type.SUPERVISOR, all, seen));
      }
    }
    return new Tree(info, pid, childId, true, false, subtrees);
  }
}
