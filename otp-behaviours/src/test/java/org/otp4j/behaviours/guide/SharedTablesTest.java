package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.PartitionSupervisor;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;

@ExtendWith(CaptureReports.class)
@DisplayName("Guide, chapter 10: shared tables")
class SharedTablesTest {

  @Test
  @DisplayName("Sessions: writes through the owner, reads from the table; the table goes with the server")
  void sessions() {
    inProcess(() -> {
      ServerRef<Sessions.Msg> sessions = Sessions.startLink();
      Sessions.login(sessions, "ada", "t-1");
      await().until(() -> Sessions.token("ada").isPresent());
      assertThat(Sessions.token("ada")).contains("t-1");
      Sessions.logout(sessions, "ada");
      await().until(() -> Sessions.token("ada").isEmpty());
      GenServer.stop(sessions);
      assertThat(Table.whereis("sessions")).isEmpty();
      return null;
    });
  }

  @Test
  @DisplayName("counters from plain threads, a wrapping slot, a select, and an heir that inherits")
  void countersAndHeir() throws Exception {
    CompletableFuture<Table<String, Long>> inherited = new CompletableFuture<>();
    Pid keeper = Proc.spawn(() -> inherited.complete(SharedTables.inherit()));
    Pid owner = Proc.spawn(() -> {
      Table<String, Long> t = SharedTables.createCounters();
      SharedTables.keepAfterMe(t, keeper);
      Proc.receive(); // until told to stop
    });
    await().until(() -> Table.whereis("requests").isPresent());

    long[] first = SharedTables.count("/home");
    for (int i = 0; i < 11; i++) {
      SharedTables.count("/about");
    }
    long[] last = SharedTables.count("/home");
    Table<String, Long> requests = Table.named("requests");

    assertThat(first).containsExactly(1, 0);
    assertThat(last).containsExactly(2, 2); // 13 slots taken: 0..9, then 0, 1, 2
    assertThat(SharedTables.busy(requests, 2)).containsExactly("/about", "/home");

    Proc.exit(owner, ExitReason.KILL);
    assertThat(inherited.get(5, java.util.concurrent.TimeUnit.SECONDS)).isSameAs(requests);
    assertThat(requests.owner()).isEqualTo(keeper);
    Proc.exit(keeper, ExitReason.KILL);
    assertThat(Proc.awaitExit(keeper, Duration.ofSeconds(5))).isPresent();
    assertThat(requests.exists()).isFalse();
  }

  @Test
  @DisplayName("partitions of KvStore, routed by key")
  void partitions() {
    inProcess(() -> {
      Pid stores = SharedTables.partitions();
      ServerRef<org.otp4j.behaviours.guide.KvStore.Msg> store = PartitionSupervisor.route(Name.local("stores"), "colour");
      assertThat(KvStore.get(store, "colour")).contains("teal");
      assertThat(PartitionSupervisor.countChildren(stores).active()).isEqualTo(4);
      Supervisor.stop(stores);
      return null;
    });
  }
}
