package org.otp4j.behaviours.stage;

import org.otp4j.core.Address;

/** A consumer tried to subscribe to a stage that is a consumer, not a producer or producer_consumer. */
public final class NotAProducerException extends SubscribeException {
  NotAProducerException(Address target) {
    super("GenStage.syncSubscribe: " + target + " is a consumer, not a producer; subscribe to a Producer "
        + "or a ProducerConsumer", GenStage.NOT_A_PRODUCER);
  }
}
