/**
 * Demand-driven pipelines, Elixir's GenStage: {@link org.otp4j.behaviours.stage.Producer},
 * {@link org.otp4j.behaviours.stage.Consumer} and {@link org.otp4j.behaviours.stage.ProducerConsumer}
 * stages, their {@link org.otp4j.behaviours.stage.Dispatcher}s, the
 * {@link org.otp4j.behaviours.stage.ConsumerSupervisor}, and bridges to
 * {@link java.util.concurrent.Flow} in {@link org.otp4j.behaviours.stage.StageFlow}. Start with
 * {@link org.otp4j.behaviours.stage.GenStage}.
 */
package org.otp4j.behaviours.stage;
