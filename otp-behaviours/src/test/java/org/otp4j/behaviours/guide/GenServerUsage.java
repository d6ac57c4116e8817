package org.otp4j.behaviours.guide;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartException;
import org.otp4j.behaviours.StartResult;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Registry;
import org.otp4j.core.RequestId;
import org.otp4j.core.ServerRef;

/** Chapter 3: using servers from the outside. */
final class GenServerUsage {
  private GenServerUsage() {}

  static Optional<String> firstUse() {
    // region: first-use
    ServerRef<KvStore.Msg> store = KvStore.startLink();
    KvStore.put(store, "colour", "teal");                 // a cast: returns at once
    Optional<String> colour = KvStore.get(store, "colour"); // a call: waits for the reply, Optional[teal]
    // endregion: first-use
    return colour;
  }

  /** What the untyped tour found. */
  record Untyped(Object reply, Optional<String> typedAgain) {}

  static Untyped untyped(ServerRef<KvStore.Msg> store) {
    // region: untyped
    Pid pid = store.pid();                                             // the same process, untyped
    Object reply = GenServer.call(pid, new KvStore.Msg.Get("colour")); // an Object: Optional[teal]

    ServerRef<KvStore.Msg> typed = ServerRef.of(pid);                  // typed again, on the caller's word
    Optional<String> colour = KvStore.get(typed, "colour");
    // endregion: untyped
    return new Untyped(reply, colour);
  }

  // region: start-or-find
  /** The store registered under {@code name}: started now, or the one that already runs there. */
  static ServerRef<KvStore.Msg> startOrFind(ServerRef<KvStore.Msg> name) {
    try {
      return KvStore.startLink(name);
    } catch (StartException e) {
      if (e.result() instanceof StartResult.AlreadyStarted(Pid holder)) {
        return ServerRef.of(holder); // started by someone else first: use that one
      }
      throw e; // Ignored or Failed(reason): the store did not start
    }
  }
  // endregion: start-or-find

  static Optional<String> byName() {
    // region: naming
    ServerRef<KvStore.Msg> kv = ServerRef.local("kv");   // a typed name
    KvStore.startLink(kv);
    KvStore.put(kv, "colour", "teal");
    Optional<String> colour = KvStore.get(kv, "colour");

    Registry stores = Registry.unique("stores"); // or a via name, from a unique Registry
    ServerRef<KvStore.Msg> euWest = ServerRef.via(stores, "eu-west");
    KvStore.startLink(euWest);
    KvStore.put(euWest, "colour", "amber");
    // endregion: naming
    return colour;
  }

  static CallException awaitTimesOut(ServerRef<KvStore.Msg> store) {
    // region: call-timeout
    try {
      KvStore.await(store, "missing", Duration.ofMillis(100));
      throw new AssertionError("unreachable: nobody puts that key");
    } catch (CallException e) {
      // e.reason() is timeout; e.getMessage() says which call failed and why:
      // GenServer.call(<3.1.0>, Await[key=missing], 100 ms) failed: timeout: no reply within 100 ms
      return e;
    }
    // endregion: call-timeout
  }

  static List<Optional<String>> fromTwoStores(ServerRef<KvStore.Msg> eu, ServerRef<KvStore.Msg> us) {
    // region: send-request
    // both requests go out at once, and both stores work on them at the same time
    RequestId<Optional<String>> fromEu = GenServer.sendRequest(eu, new KvStore.Msg.Get("colour"));
    RequestId<Optional<String>> fromUs = GenServer.sendRequest(us, new KvStore.Msg.Get("colour"));
    // then the replies are taken, typed by their request: a Get is a Call<Optional<String>>
    Optional<String> euColour = fromEu.receiveResponse(Duration.ofSeconds(5));
    Optional<String> usColour = fromUs.receiveResponse(Duration.ofSeconds(5));
    // endregion: send-request
    return List.of(euColour, usColour);
  }

  static void stop(ServerRef<KvStore.Msg> store, ServerRef<KvStore.Msg> other) {
    // region: stop
    GenServer.stop(store); // reason normal; returns once it has terminated
    GenServer.stop(other, ExitReason.shutdown("maintenance"), Duration.ofSeconds(5));
    // endregion: stop
  }
}
