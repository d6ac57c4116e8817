package org.otp4j.examples.iot;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Starts a {@link Broker} for a test: skips it where mosquitto is missing, fails instead under CI. */
public final class TestBroker {
  private TestBroker() {}

  /** A broker in {@code dir}; see the class comment for when it skips or fails. */
  public static Broker start(Path dir) {
    if (Broker.find().isEmpty() && System.getenv("CI") != null) {
      throw new AssertionError("mosquitto is missing under CI; .ci/run should have run: apt-get install -y mosquitto");
    }
    Assumptions.assumeTrue(Broker.find().isPresent(), "mosquitto is not installed (apt-get install -y mosquitto); skipping");
    return Broker.start(dir);
  }
}
