package org.otp4j.behaviours.guide;

import java.util.List;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.PartitionSupervisor;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;

/** Chapter 10: shared tables, from a process and from plain threads. */
final class SharedTables {
  private SharedTables() {}

  /** Runs in a process: creates the public counters table. */
  static Table<String, Long> createCounters() {
    // region: counters-create
    Table<String, Long> requests = Table.create(Table.Options.set().named("requests")
        .withAccess(Table.Access.PUBLIC)); // any process or thread may write
    // endregion: counters-create
    return requests;
  }

  /** Runs anywhere: counts a request, and a slot number that wraps. */
  static long[] count(String path) {
    // region: counters-update
    Table<String, Long> requests = Table.named("requests");
    long total = requests.updateCounter(path, 1, 0);   // starts at 0 the first time
    long slot = requests.updateCounter("slot", Table.Increment.by(1).withThreshold(9, 0), -1); // 0..9, then 0 again
    // endregion: counters-update
    return new long[] {total, slot};
  }

  /** Runs anywhere: the busy paths, in order. */
  static List<String> busy(Table<String, Long> requests, long atLeast) {
    // region: select
    List<String> busy = requests.select((path, n) -> path.startsWith("/") && n >= atLeast).stream()
        .map(Table.Entry::key)
        .sorted()
        .toList();
    // endregion: select
    return busy;
  }

  /** Runs in the owner: names its heir. */
  static void keepAfterMe(Table<String, Long> requests, Pid keeper) {
    // region: heir
    requests.setHeir(keeper, "requests"); // if this process terminates, keeper owns the table
    // endregion: heir
  }

  /** Runs in the heir: waits to inherit. */
  static Table<String, Long> inherit() {
    // region: inherit
    Table.Transfer transfer = (Table.Transfer) Proc.receive(m -> m instanceof Table.Transfer);
    Table<String, Long> requests = transfer.typedTable(); // this process owns it now
    // endregion: inherit
    return requests;
  }

  /** Partitions of the KvStore of chapter 3, by key. */
  static Pid partitions() {
    // region: partitions
    Pid stores = PartitionSupervisor.startLink(Name.local("stores"), PartitionSupervisor.Options.partitions(4),
        partition -> ChildSpec.worker("store", KvStore::startLink));
    ServerRef<KvStore.Msg> store = PartitionSupervisor.route(Name.local("stores"), "colour");
    KvStore.put(store, "colour", "teal"); // "colour" always goes to the same partition
    // endregion: partitions
    return stores;
  }
}
