package org.otp4j.examples.gateway;

import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Pid;
import org.otp4j.core.Table;

/**
 * Owns the gateway's shared tables and does nothing else, so that they outlive a crash of any
 * process that writes them: the routes and pools (written by the router), the balancers' states, the breakers' states,
 * the health checks' verdicts and the counters of {@code /metrics}. All are public: request
 * handlers and processes read them directly, never behind a message.
 */
final class TableKeeper extends GenServer<Void, Void> {
  static Pid startLink() {
    return GenServer.startLink(new TableKeeper()).pid();
  }

  @Override
  protected Init<Void> init() {
    for (String name : new String[] {Gateway.ROUTES, Gateway.POOLS, Gateway.BALANCERS, Gateway.BREAKERS, Gateway.HEALTH, Gateway.METRICS}) {
      Table.create(Table.Options.set().named(name).withAccess(Table.Access.PUBLIC));
    }
    return Init.ok(null);
  }
}
