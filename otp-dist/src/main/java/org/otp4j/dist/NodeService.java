package org.otp4j.dist;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A process per node registered under one name that finds the processes of that name on the other
 * nodes (the shape of {@link Pg}'s scopes and {@link Global}'s registry): it publishes a view that
 * readers use without a message while it runs, greets every connected node once it is registered,
 * and hands every message to its handler (which answers the greetings and later {@code NodeUp}s).
 */
final class NodeService {
  private NodeService() {}

  /**
   * Starts the service on {@code node} under {@code name}, with {@code view} in {@code views} while
   * it runs.
   *
   * @param greeting the message that greets the service of another node, made from this one's pid
   * @throws NameConflictException with {@code taken} if the name is taken on that node
   */
  static <V> Pid start(Node node, String name, Map<Pid, V> views, V view, Function<Pid, Object> greeting,
      Consumer<Object> handler, String taken) {
    Pid pid = node.spawn(() -> {
      try {
        Proc.receive(m -> m.equals(Start.START));
        Proc.monitorNodes(true);
        for (String other : Node.current().connectedNodes()) {
          Proc.send(Name.remote(name, other), greeting.apply(Proc.self()));
        }
        while (true) {
          handler.accept(Proc.receive());
        }
      } finally {
        views.remove(Proc.self());
      }
    });
    views.put(pid, view);
    try {
      node.run(() -> Proc.register(name, pid));
    } catch (NameConflictException e) {
      views.remove(pid);
      node.run(() -> Proc.exit(pid, ExitReason.KILL));
      throw new NameConflictException(taken);
    }
    node.run(() -> Proc.send(pid, Start.START)); // registered: it may now greet the others
    return pid;
  }

  /** Tells the new service that it is registered. */
  private enum Start { START }
}
