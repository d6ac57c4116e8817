package org.otp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Node;
import org.otp4j.core.ServerRef;

// region: extension
@ExtendWith(OtpExtension.class)
class CounterTest {
  @Test
  void counts(Node node) {
    ServerRef<Counter.Msg> counter = Counter.start(0);   // on `node`: the test thread acts on it
    assertThat(counter.pid().node()).isSameAs(node);
    assertThat(Counter.bump(counter, 2)).isEqualTo(2);
    GenServer.stop(counter.pid());                       // a process left alive fails the test
  }
}
// endregion: extension
