package org.otp4j.examples.iot.sim;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.otp4j.examples.iot.Broker;

/** Starts a {@link Broker} for a test of the simulator: skips it where mosquitto is missing, fails under CI. */
final class SimBroker {
  private SimBroker() {}

  static Broker start(Path dir) {
    if (Broker.find().isEmpty() && System.getenv("CI") != null) {
      throw new AssertionError("mosquitto is missing under CI; .ci/run should have run: apt-get install -y mosquitto");
    }
    Assumptions.assumeTrue(Broker.find().isPresent(), "mosquitto is not installed (apt-get install -y mosquitto); skipping");
    return Broker.start(dir);
  }
}
