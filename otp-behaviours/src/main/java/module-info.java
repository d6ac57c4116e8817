/**
 * OTP's behaviours on otp-core: {@link org.otp4j.behaviours.GenServer},
 * {@link org.otp4j.behaviours.Supervisor}, {@link org.otp4j.behaviours.Sys}; Elixir's tasks
 * ({@link org.otp4j.behaviours.task.Task}), agents ({@link org.otp4j.behaviours.Agent}),
 * Phoenix's pubsub ({@link org.otp4j.behaviours.pubsub.PubSub}) and demand-driven pipelines
 * ({@link org.otp4j.behaviours.stage.GenStage}).
 */
module org.otp4j.behaviours {
  requires transitive org.otp4j.core;
  requires org.slf4j;
  requires jdk.jfr;

  exports org.otp4j.behaviours;
  exports org.otp4j.behaviours.task;
  exports org.otp4j.behaviours.pubsub;
  exports org.otp4j.behaviours.stage;
}
