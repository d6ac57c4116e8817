package org.otp4j.examples.iot;

import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/**
 * Owns the database: opens the {@link IotStore} in its init and installs it in {@link Iot#store()},
 * closes it when it terminates. The first child of the tree, so that everything after it finds the
 * store open, and restarts after it if it restarts.
 */
final class StoreOwner extends GenServer<IotStore, StoreOwner.Request> {
  /** The owner's protocol. */
  sealed interface Request {
    /** The JDBC URL of the open database. */
    record Url() implements Request, Call<String> {}
  }

  private final Iot iot;

  private StoreOwner(Iot iot) {
    this.iot = iot;
  }

  static ServerRef<Request> startLink(Iot iot) {
    return GenServer.startLink(Iot.STORE, new StoreOwner(iot));
  }

  @Override
  protected Init<IotStore> init() {
    Proc.trapExits(true); // so that terminate closes the database on shutdown
    IotStore store = IotStore.open(iot.config());
    iot.store().set(store);
    return Init.ok(store);
  }

  @Override
  protected CallResult<IotStore> handleCall(Request request, From from, IotStore store) {
    return switch (request) {
      case Request.Url u -> reply(u, iot.config().effectiveJdbcUrl(), store);
    };
  }

  @Override
  protected void terminate(ExitReason reason, IotStore store) {
    iot.store().compareAndSet(store, null);
    store.close();
  }
}
