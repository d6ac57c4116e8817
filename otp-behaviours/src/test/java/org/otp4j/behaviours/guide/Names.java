package org.otp4j.behaviours.guide;

import static org.otp4j.core.Proc.*;

import java.util.Optional;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Registry;

/** Chapter 2: names, via names, the Registry. */
final class Names {
  private Names() {}

  static Optional<Pid> registerAudit(Pid log) {
    // region: register
    Pid audit = spawn(() -> {
      while (true) {
        send(log, "audit: " + receive());
      }
    });
    register("audit", audit);
    send("audit", "user 42 signed in"); // the name is looked up now; NoSuchNameException if it is free
    Optional<Pid> where = whereis("audit"); // Optional[<0.12.0>], or empty
    // endregion: register
    return where;
  }

  // region: via
  static final Registry DEVICES = Registry.unique("devices");

  static Pid startDevice(String serial, Pid log) {
    Pid device = spawn(() -> {
      while (true) {
        send(log, serial + ": " + receive());
      }
    });
    register(Name.via(DEVICES, serial), device);
    return device;
  }

  static void reboot(String serial) {
    send(Name.via(DEVICES, serial), "reboot");
  }
  // endregion: via

  // region: pubsub
  static final Registry TOPICS = Registry.duplicate("topics");

  record Price(String symbol, int cents) {}

  static Pid subscriber(String topic, Pid deliverTo) {
    return spawn(() -> {
      TOPICS.register(topic, "subscriber"); // a process registers itself, with a value of its choice
      send(deliverTo, "subscribed");        // publishers that run before this line would miss it
      while (true) {
        send(deliverTo, receive());
      }
    });
  }

  static int publish(Price price) {
    return TOPICS.sendAll("prices", price); // how many subscribers it reached
  }
  // endregion: pubsub
}
