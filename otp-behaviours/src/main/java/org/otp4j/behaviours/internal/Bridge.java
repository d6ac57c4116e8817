package org.otp4j.behaviours.internal;

import org.otp4j.behaviours.GenServer;

/**
 * Gives the behaviours built on {@link GenServer} in the sub-packages (GenStage) access to the
 * package-private parts of GenServer without making them public: the JDK's SharedSecrets idiom,
 * as otp-core's own bridge. {@link GenServer} installs its accessor from its static initialiser,
 * which has run before any subclass is constructed. This package is not exported.
 */
public final class Bridge {
  private Bridge() {}

  /** Access to {@link GenServer}. */
  public interface Servers {
    /** Names the behaviour {@code server} implements, for its reports and {@code Sys} status. */
    void nameBehaviour(GenServer<?, ?> server, String behaviour);
  }

  private static volatile Servers servers;

  /** Installs GenServer's accessor; called once, from GenServer's static initialiser. */
  public static void installServers(Servers access) {
    servers = access;
  }

  /**
   * Names the behaviour a server built on GenServer implements ("GenStage"): its crash reports and
   * {@code Sys} status say so instead of "GenServer". Call it from the server's constructor.
   */
  public static void nameBehaviour(GenServer<?, ?> server, String behaviour) {
    servers.nameBehaviour(server, behaviour);
  }
}
