package org.otp4j.dist;

/**
 * The error that ended a process on another node, as it arrives here: its class name and message
 * (the exception itself is not sent; no class of the other node has to exist here). It is the error
 * of the {@link org.otp4j.core.ExitReason.Crash} that an exit signal or a down brings.
 */
public final class RemoteCrash extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String remoteClass;
  private final String remoteMessage;

  /**
   * Makes the error.
   *
   * @param remoteClass the class name of the error on the other node
   * @param remoteMessage its message, or null
   */
  public RemoteCrash(String remoteClass, String remoteMessage) {
    super(remoteMessage == null ? remoteClass : remoteClass + ": " + remoteMessage, null, false, false);
    this.remoteClass = remoteClass;
    this.remoteMessage = remoteMessage;
  }

  /** The class name of the error on the other node. */
  public String remoteClass() {
    return remoteClass;
  }

  /** Its message, or null. */
  public String remoteMessage() {
    return remoteMessage;
  }

  @Override
  public String toString() {
    return getMessage();
  }
}
