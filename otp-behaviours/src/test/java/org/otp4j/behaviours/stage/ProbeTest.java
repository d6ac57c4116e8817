package org.otp4j.behaviours.stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;

/** A test whose stages report to {@link #probe}, an inbox of the test's thread opened for each test. */
abstract class ProbeTest {
  /** Where the test's stages send their reports. */
  Inbox probe;

  @BeforeEach
  final void openProbe() {
    probe = Node.current().openInbox();
  }

  @AfterEach
  final void closeProbe() {
    probe.close();
  }
}
