package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.core.Call;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

@ExtendWith(CaptureReports.class)
@DisplayName("PartitionSupervisor: N partitions of a child, routed by key (U26)")
class PartitionSupervisorTest {

  /** A partition's server: a map, and the number of its partition. */
  static final class Cache extends GenServer<Map<String, String>, Cache.Msg> {
    sealed interface Msg {
      record Put(String key, String value) implements Msg {}

      record Get(String key) implements Msg, Call<Optional<String>> {}

      record Which() implements Msg, Call<Integer> {}
    }

    private final int partition;

    Cache(int partition) {
      this.partition = partition;
    }

    @Override
    protected Init<Map<String, String>> init() {
      return Init.ok(Map.of());
    }

    @Override
    protected CallResult<Map<String, String>> handleCall(Msg msg, From from, Map<String, String> data) {
      return switch (msg) {
        case Msg.Get get -> reply(get, Optional.ofNullable(data.get(get.key())), data);
        case Msg.Which which -> reply(which, partition, data);
        case Msg.Put _ -> throw new IllegalArgumentException("Put is a cast");
      };
    }

    @Override
    protected CastResult<Map<String, String>> handleCast(Msg msg, Map<String, String> data) {
      if (msg instanceof Msg.Put(String key, String value)) {
        Map<String, String> next = new HashMap<>(data);
        next.put(key, value);
        return noReply(Map.copyOf(next));
      }
      throw new IllegalArgumentException(msg + " is a call");
    }
  }

  @Test
  @DisplayName("U26: each partition runs one child, its id the partition number; a key always routes to the same "
      + "partition, and the child knows which it is")
  void routesByKey() {
    inProcess(() -> {
      // region: partition-start
      Pid sup = PartitionSupervisor.startLink(Name.local("caches"), PartitionSupervisor.Options.partitions(4),
          partition -> ChildSpec.worker("cache", () -> GenServer.startLink(new Cache(partition))));
      // endregion: partition-start
      // region: partition-route
      ServerRef<Cache.Msg> cache = PartitionSupervisor.route(Name.local("caches"), "user-42");
      GenServer.cast(cache, new Cache.Msg.Put("user-42", "Ada"));
      // endregion: partition-route

      assertThat(GenServer.call(PartitionSupervisor.<Cache.Msg>route(sup, "user-42"), new Cache.Msg.Get("user-42")))
          .contains("Ada");
      assertThat(PartitionSupervisor.partitions(sup)).isEqualTo(4);
      assertThat(PartitionSupervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(4, 4, 0, 4));
      List<Supervisor.Child> children = PartitionSupervisor.whichChildren(sup);
      assertThat(children).extracting(Supervisor.Child::id).containsExactlyInAnyOrder(0, 1, 2, 3);
      for (int key = 0; key < 8; key++) {
        int partition = GenServer.call(PartitionSupervisor.<Cache.Msg>route(sup, key), new Cache.Msg.Which());
        assertThat(partition).as("an integer key k goes to |k| mod n").isEqualTo(key % 4);
      }
      assertThat(PartitionSupervisor.pid(sup, -6)).isEqualTo(PartitionSupervisor.pid(sup, 2));
      Set<Pid> used = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        used.add(PartitionSupervisor.pid(sup, "key-" + i));
        assertThat(PartitionSupervisor.pid(sup, "key-" + i)).isEqualTo(PartitionSupervisor.pid(sup, "key-" + i));
      }
      assertThat(used).as("string keys spread over every partition").hasSize(4);
      Supervisor.stop(sup);
      return null;
    });
  }

  @Test
  @DisplayName("U26: a restarted partition routes to its new process; the routes go with the supervisor")
  void restartedPartitionIsRouted() {
    inProcess(() -> {
      Pid sup = PartitionSupervisor.startLink(PartitionSupervisor.Options.partitions(2),
          partition -> ChildSpec.worker("cache", () -> GenServer.startLink(new Cache(partition))));
      Pid before = PartitionSupervisor.pid(sup, 1);

      Proc.exit(before, ExitReason.KILL);

      await().until(() -> !PartitionSupervisor.pid(sup, 1).equals(before));
      Pid after = PartitionSupervisor.pid(sup, 1);
      assertThat(GenServer.call(PartitionSupervisor.<Cache.Msg>route(sup, 1), new Cache.Msg.Which())).isEqualTo(1);
      assertThat(PartitionSupervisor.whichChildren(sup)).anySatisfy(c -> assertThat(c.pid()).isEqualTo(after));
      Supervisor.stop(sup);
      assertThatThrownBy(() -> PartitionSupervisor.pid(sup, 1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage(sup + " is not a running partition supervisor (started with PartitionSupervisor.startLink)");
      return null;
    });
  }

  @Test
  @DisplayName("a custom partitioner chooses the partition; one out of range, bad options and a plain supervisor "
      + "are named errors")
  void partitionerAndBadInput() {
    inProcess(() -> {
      Pid sup = PartitionSupervisor.startLink(PartitionSupervisor.Options.partitions(3)
              .withPartitioner((key, n) -> key.toString().length() % n),
          partition -> ChildSpec.worker("cache", () -> GenServer.startLink(new Cache(partition))));
      Pid wild = PartitionSupervisor.startLink(PartitionSupervisor.Options.partitions(2).withPartitioner((key, n) -> n),
          partition -> ChildSpec.worker("cache", () -> GenServer.startLink(new Cache(partition))));
      Pid plain = Supervisor.startLink(Supervisor.oneForOne());

      assertThat(GenServer.call(PartitionSupervisor.<Cache.Msg>route(sup, "abcd"), new Cache.Msg.Which())).isEqualTo(1);
      assertThatThrownBy(() -> PartitionSupervisor.pid(wild, "k")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the partitioner of " + wild + " chose partition 2 for key k, but there are 2 (0 to 1)");
      assertThatThrownBy(() -> PartitionSupervisor.pid(plain, "k")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not a running partition supervisor");
      assertThatThrownBy(() -> PartitionSupervisor.pid(Name.local("nobody"), "k"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> PartitionSupervisor.Options.partitions(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("a partition supervisor needs at least 1 partition, but partitions was 0");
      Supervisor.stop(sup);
      Supervisor.stop(wild);
      Supervisor.stop(plain);
      return null;
    });
  }

  @Test
  @DisplayName("a partition whose start is ignored has no process: routing to it is an IllegalStateException")
  void ignoredPartition() {
    inProcess(() -> {
      Pid sup = PartitionSupervisor.startLink(PartitionSupervisor.Options.partitions(2),
          partition -> ChildSpec.worker("cache", () -> partition == 0 ? StartResult.ignore()
              : GenServer.startLink(new Cache(partition))));

      assertThat(PartitionSupervisor.countChildren(sup).active()).isEqualTo(1);
      assertThatThrownBy(() -> PartitionSupervisor.pid(sup, 0)).isInstanceOf(IllegalStateException.class)
          .hasMessage("partition 0 of " + sup + " has no process: its start was ignored");
      Supervisor.stop(sup);
      return null;
    });
  }
}
