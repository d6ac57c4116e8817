package org.otp4j.examples.iot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {
  @Test
  void aCommandLineSetsEveryOption() {
    SimulatorConfig c = SimulatorConfig.parse("--broker", "10.0.0.5:1884", "--devices", "2000", "--first-device", "5000",
        "--groups", "20", "--interval-ms", "250", "--jitter", "0.2", "--qos", "0", "--devices-per-connection", "100",
        "--fault-rate", "0.01", "--malformed-rate", "0.05", "--unknown-device-rate", "0.02", "--oversized-rate", "0.01",
        "--flood-device", "d-005001", "--summary-seconds", "2.5", "--final-json", "out.json", "--seed", "7",
        "--reconnect-max-ms", "2000", "--ignore-stdin");
    assertThat(c).isEqualTo(new SimulatorConfig("10.0.0.5", 1884, 2000, 5000, 20, Duration.ofMillis(250), 0.2, 0, 100,
        0.01, 0.05, 0.02, 0.01, Optional.of("d-005001"), Duration.ofMillis(2500), Optional.of(Path.of("out.json")), 7,
        Duration.ofSeconds(2)));
  }

  @Test
  void optionsNotGivenKeepTheirDefaults() {
    SimulatorConfig c = SimulatorConfig.parse();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(1883);
    assertThat(c.devices()).isEqualTo(100);
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.qos()).isEqualTo(1);
    assertThat(c.devicesPerConnection()).isEqualTo(1);
    assertThat(c.floodDevice()).isEmpty();
    assertThat(c.finalJson()).isEmpty();
  }

  @Test
  void badOptionsAreNamedWithWhatTheyAccept() {
    assertThatThrownBy(() -> SimulatorConfig.parse("--devcies", "10"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown option --devcies: expected one of --broker HOST:PORT, --devices N");
    assertThatThrownBy(() -> SimulatorConfig.parse("--devices"))
        .hasMessage("option --devices needs a value: --devices N");
    assertThatThrownBy(() -> SimulatorConfig.parse("--qos", "2"))
        .hasMessage("option --qos expects 0 or 1, got 2");
    assertThatThrownBy(() -> SimulatorConfig.parse("--broker", "localhost"))
        .hasMessage("option --broker expects HOST:PORT, got localhost");
    assertThatThrownBy(() -> SimulatorConfig.parse("--jitter", "much"))
        .hasMessage("option --jitter expects a number, got much");
    assertThatThrownBy(() -> SimulatorConfig.parse("--malformed-rate", "0.6", "--oversized-rate", "0.6"))
        .hasMessageContaining("shares that add up to at most 1, got 1.2");
    assertThatThrownBy(() -> SimulatorConfig.parse("--devices", "10", "--flood-device", "d-000011"))
        .hasMessage("option --flood-device expects one of the simulated ids d-000001 to d-000010, got d-000011");
    assertThatThrownBy(() -> SimulatorConfig.parse("--flood-device", "sensor-1"))
        .hasMessage("a device id is d- and six digits (d-000042), got sensor-1");
    assertThatThrownBy(() -> SimulatorConfig.parse("--devices", "900000", "--first-device", "1"))
        .hasMessageStartingWith("option --first-device expects a number from 0 such that first + devices <= 900000");
    assertThatThrownBy(() -> SimulatorConfig.parse("--devices-per-connection", "5000"))
        .hasMessage("option --devices-per-connection expects 1 to 4000, got 5000");
  }
}
