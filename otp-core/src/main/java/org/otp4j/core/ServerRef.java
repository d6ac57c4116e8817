package org.otp4j.core;

import java.util.Objects;
import java.util.Optional;

/**
 * A typed address: a process, by pid or by name, that handles messages of type {@code M}. What a
 * behaviour's start returns, and what its calls and casts take, so that javac checks both the
 * request (it must be an {@code M}) and the reply (a {@link Call Call&lt;R&gt;} request returns an
 * {@code R}).
 *
 * <!-- snippet: org.otp4j.core.TypedProtocolTest#refs -->
 * {@snippet :
 * ServerRef<Msg> byName = ServerRef.local("counter");   // a typed name, for start and call
 * ServerRef<Msg> byPid = ServerRef.of(pid);              // an untyped pid, typed by its holder
 * }
 *
 * <p>It is an {@link Address} (monitor it, link to its pid, send it exit signals), but the APIs that
 * send it messages take it as a {@code ServerRef<M>}, never as an untyped address: a message of
 * the wrong type does not compile. Untyped pids and names keep working everywhere, Erlang-style.
 *
 * <p>Two refs are equal when they address the same pid or the same name.
 *
 * @param <M> the messages the process handles (its protocol)
 */
public final class ServerRef<M> implements Address {
  private final Address target; // a Pid or a Name, never another ServerRef

  private ServerRef(Address target) {
    this.target = target;
  }

  /**
   * The process {@code pid}, typed: the caller asserts that it handles messages of type {@code M}
   * (as a process started from a behaviour of that protocol does).
   */
  public static <M> ServerRef<M> of(Pid pid) {
    return new ServerRef<>(Objects.requireNonNull(pid, "pid"));
  }

  /** The process registered (or to be registered) under {@code name}, typed. */
  public static <M> ServerRef<M> of(Name name) {
    return new ServerRef<>(Objects.requireNonNull(name, "name"));
  }

  /** A local name ({@link Name#local}), typed: start a server under it, then call it. */
  public static <M> ServerRef<M> local(String name) {
    return new ServerRef<>(Name.local(name));
  }

  /**
   * A name registered on the node named {@code node} ({@link Name#remote}, Erlang's
   * {@code {Name, Node}}), typed: call and cast the server registered under it there. A call fails
   * with {@code noproc} if nothing is registered under the name on that node, and with
   * {@code noconnection} if the node is not connected or goes down before it replies.
   *
   * @throws IllegalArgumentException if {@code name} or {@code node} is blank
   */
  public static <M> ServerRef<M> remote(String name, String node) {
    return new ServerRef<>(Name.remote(name, node));
  }

  /** A name held by a pluggable registry ({@link Name#via}), typed. */
  public static <M> ServerRef<M> via(NameRegistry registry, Object key) {
    return new ServerRef<>(Name.via(registry, key));
  }

  /** The pid or name this ref addresses. */
  public Address address() {
    return target;
  }

  /** The name this ref addresses, or empty for a ref by pid. */
  public Optional<Name> name() {
    return target instanceof Name n ? Optional.of(n) : Optional.empty();
  }

  /**
   * The process: the pid of a ref by pid, or the process the name denotes now.
   *
   * @throws NoSuchNameException if this is a ref by name and nothing is registered under it
   */
  public Pid pid() {
    return switch (target) {
      case Pid p -> p;
      case Name n -> Proc.whereis(n).orElseThrow(() -> new NoSuchNameException(n, "ServerRef.pid"));
      case ServerRef<?> r -> throw new AssertionError("a ServerRef never wraps another: " + r);
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerRef<?> other && target.equals(other.target);
  }

  @Override
  public int hashCode() {
    return target.hashCode();
  }

  @Override
  public String toString() {
    return target.toString();
  }
}
