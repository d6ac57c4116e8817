package org.otp4j.core;

import static org.otp4j.core.TestSupport.next;

/**
 * A process that runs registry operations for a test, one at a time and as itself (most registry
 * changes act for the calling process), and reports each result to the test's inbox.
 */
final class RegistryMember {
  private RegistryMember() {}

  /** An operation that returns a result. */
  interface Op {
    Object run();
  }

  /** An operation that returns nothing. */
  interface Action {
    void run();
  }

  private record Do(Op op) {}

  /** The result of an operation, or the exception it threw. */
  record Done(Object result) {}

  /** Starts a member that reports to {@code inbox}. */
  static Pid spawn(Node node, Inbox inbox) {
    Pid report = inbox.pid();
    return node.spawn(() -> {
      while (true) {
        Op op = ((Do) Proc.receive(m -> m instanceof Do)).op();
        Object result;
        try {
          result = op.run();
        } catch (RuntimeException e) {
          if (e instanceof ProcessExit) {
            throw e;
          }
          result = e;
        }
        Proc.send(report, new Done(result));
      }
    });
  }

  /** Runs {@code op} in {@code member}; returns its result, or the exception it threw. */
  static Object call(Inbox inbox, Pid member, Op op) {
    inbox.send(member, new Do(op));
    return next(inbox, Done.class).result();
  }

  /** Runs {@code action} in {@code member}; returns "ok", or the exception it threw. */
  static Object run(Inbox inbox, Pid member, Action action) {
    return call(inbox, member, () -> {
      action.run();
      return "ok";
    });
  }
}
