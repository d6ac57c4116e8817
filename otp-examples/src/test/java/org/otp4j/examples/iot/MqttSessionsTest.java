package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A node's MQTT sessions: their client ids, and the process group that says who holds them. */
class MqttSessionsTest {
  @Test
  void oneSessionKeepsTheClientIdSeveralAreNumbered() {
    assertThat(new MqttSessions("platform-a", 1).ids()).containsExactly("platform-a");
    assertThat(new MqttSessions("platform-a", 3).ids()).containsExactly("platform-a-0", "platform-a-1", "platform-a-2");
  }

  @Test
  void theGroupNamesTheSessionsBack() {
    MqttSessions sessions = new MqttSessions("platform-b", 4);
    assertThat(sessions.group()).isEqualTo("session:platform-b*4");
    assertThat(MqttSessions.ofGroup(sessions.group())).contains(sessions);
    assertThat(MqttSessions.ofGroup(IotCluster.PLATFORM)).isEmpty();
    assertThat(MqttSessions.ofGroup("session:platform-b")).isEmpty();
    assertThat(MqttSessions.ofGroup("session:platform-b*many")).isEmpty();
    assertThat(MqttSessions.ofGroup("session:platform-b*0")).isEmpty();
  }

  @Test
  void badSettingsAreRefusedByName() {
    assertThatThrownBy(() -> new MqttSessions("platform-a", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("iot.sessions must be 1..64; got 0");
    assertThatThrownBy(() -> new MqttSessions("a*b", 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("iot.clientId must be a non-blank client id without '*'");
    assertThatThrownBy(() -> new MqttSessions(" ", 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("iot.clientId");
  }
}
