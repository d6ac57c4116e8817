package org.otp4j.core;

/**
 * Nothing is registered under the given name (Erlang raises {@code badarg} when sending to an
 * unregistered name). Sending to a pid never fails; sending to a name does.
 */
public final class NoSuchNameException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient Name name;

  public NoSuchNameException(Name name, String operation) {
    super(operation + ": no process is registered as " + name
        + "; check the name, or use whereis(name) to test whether it is registered");
    this.name = name;
  }

  /** The name that was not registered. */
  public Name name() {
    return name;
  }
}
