package org.otp4j.examples;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** A browser test without a browser is skipped on a developer's machine and fails under CI. */
class ChromedriverTest {
  @Test
  void aMissingBrowserSkipsOutsideCiAndFailsUnderIt() {
    assertThatThrownBy(() -> Chromedriver.requireInstalled(false, false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining(Chromedriver.INSTALL);
    assertThatThrownBy(() -> Chromedriver.requireInstalled(false, true))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("missing under CI")
        .hasMessageContaining(Chromedriver.INSTALL);
    assertThatCode(() -> Chromedriver.requireInstalled(true, true)).doesNotThrowAnyException();
    assertThatCode(() -> Chromedriver.requireInstalled(true, false)).doesNotThrowAnyException();
  }
}
