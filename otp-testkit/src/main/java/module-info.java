/**
 * A test kit for code built on otp4j, for JUnit 5: {@link org.otp4j.testkit.OtpExtension} gives each
 * test a fresh node and fails it on leaked or unexpectedly crashed processes;
 * {@link org.otp4j.testkit.Probe} is a process the test drives; {@link org.otp4j.testkit.OtpAssertions}
 * has ExUnit's {@code assertReceive}/{@code refuteReceive}; {@link org.otp4j.core.ManualClock}
 * makes a node's timers fire when the test says.
 */
module org.otp4j.testkit {
  requires transitive org.otp4j.core;
  requires transitive org.otp4j.behaviours;
  requires transitive org.junit.jupiter.api;

  exports org.otp4j.testkit;
}
