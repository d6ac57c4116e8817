package org.otp4j.behaviours.stage;

import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;

/** A producer was asked to subscribe to another stage: only consumers and producer_consumers subscribe. */
public final class NotAConsumerException extends SubscribeException {
  static final ExitReason REASON = ExitReason.of("not_a_consumer");

  NotAConsumerException(Address stage) {
    super("GenStage.syncSubscribe: " + stage + " is a producer and cannot subscribe to another stage; "
        + "subscribe a Consumer or a ProducerConsumer", REASON);
  }
}
