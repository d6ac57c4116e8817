package org.otp4j.behaviours.stage;

import java.util.Objects;
import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;

/**
 * A subscription could not be made: the producer does not exist, exited, or refused it (see
 * {@link GenStage#syncSubscribe}). {@link #reason()} says why, as the consumer's
 * {@link GenStage#handleCancel} sees it.
 */
public sealed class SubscribeException extends RuntimeException permits NotAProducerException, NotAConsumerException {
  private final transient ExitReason reason;

  SubscribeException(String message, ExitReason reason) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the subscription was refused. */
  public ExitReason reason() {
    return reason;
  }

  static SubscribeException of(Address consumer, SubscribeTo to, ExitReason reason) {
    if (reason.equals(GenStage.NOT_A_PRODUCER)) {
      return new NotAProducerException(to.producer());
    }
    if (reason.equals(NotAConsumerException.REASON)) {
      return new NotAConsumerException(consumer);
    }
    String why = reason == ExitReason.NOPROC ? "it does not exist" : "it refused or exited with reason " + reason;
    return new SubscribeException("GenStage.syncSubscribe: " + consumer + " could not subscribe to "
        + to.producer() + ": " + why, reason);
  }
}
