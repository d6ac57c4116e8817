package org.otp4j.behaviours;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;
import org.otp4j.core.Address;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;

/**
 * A supervisor of {@code n} copies of one child, each a partition, with requests routed to a
 * partition by key: Elixir's {@code PartitionSupervisor}. Used to spread a single hot server over
 * several processes (one per core) when each key's work can go to any one of them, consistently.
 *
 * <!-- snippet: org.otp4j.behaviours.PartitionSupervisorTest#partition-start -->
 * {@snippet :
 * Pid sup = PartitionSupervisor.startLink(Name.local("caches"), PartitionSupervisor.Options.partitions(4),
 *     partition -> ChildSpec.worker("cache", () -> GenServer.startLink(new Cache(partition))));
 * }
 * <!-- snippet: org.otp4j.behaviours.PartitionSupervisorTest#partition-route -->
 * {@snippet :
 * ServerRef<Cache.Msg> cache = PartitionSupervisor.route(Name.local("caches"), "user-42");
 * GenServer.cast(cache, new Cache.Msg.Put("user-42", "Ada"));
 * }
 *
 * <h2>Partitions</h2>
 * The supervisor is a one-for-one {@link Supervisor} (its flags can be changed) with one child per
 * partition, numbered 0 to {@code n - 1}: the child's id is its number (an {@code Integer}),
 * whatever id its spec had, and the child spec is made for each number, so a partition's child can
 * know which one it is (Elixir's {@code with_arguments}). {@link #whichChildren} and
 * {@link #countChildren} see them as for any supervisor.
 *
 * <h2>Routing</h2>
 * {@link #route} and {@link #pid} find the process of the partition a key belongs to, without a
 * message to the supervisor: each started partition records its pid in a protected {@link Table}
 * that the supervisor owns, so a lookup is one read of a concurrent map. The default partitioner
 * is Elixir's: an {@code Integer} or {@code Long} key goes to {@code |key| mod n}, any other key by
 * its hash ({@link #defaultPartition}); {@link Options#withPartitioner} replaces it. A partition
 * that is restarting is routed to its last process, which is gone: a call to it fails with
 * {@code noproc} and a cast is lost, as in Elixir.
 *
 * <h2>Coming from Elixir</h2>
 * The supervisor need not be named (a pid routes as well as a name); the child spec is a function of
 * the partition number rather than a spec plus a {@code with_arguments} function; {@code resize!}
 * is not provided.
 */
public final class PartitionSupervisor {
  private PartitionSupervisor() {}

  /** Chooses the partition of a key: a number from 0 to {@code partitions - 1}. */
  @FunctionalInterface
  public interface Partitioner {
    /** The partition of {@code key}, given the number of partitions. */
    int partition(Object key, int partitions);
  }

  /**
   * How a partition supervisor is built.
   *
   * @param partitions how many partitions (at least 1)
   * @param flags the supervisor's flags (its strategy is one-for-one unless changed)
   * @param partitioner how a key chooses its partition
   */
  public record Options(int partitions, Supervisor.Flags flags, Partitioner partitioner) {
    /** Checks the options. */
    public Options {
      if (partitions < 1) {
        throw new IllegalArgumentException("a partition supervisor needs at least 1 partition, but partitions was "
            + partitions + "; use Runtime.getRuntime().availableProcessors() for one per core (Elixir's default)");
      }
      Objects.requireNonNull(flags, "flags: use Supervisor.oneForOne()");
      Objects.requireNonNull(partitioner, "partitioner: use PartitionSupervisor::defaultPartition");
    }

    /** {@code n} partitions, one-for-one with OTP's default intensity, the default partitioner. */
    public static Options partitions(int n) {
      return new Options(n, Supervisor.oneForOne(), PartitionSupervisor::defaultPartition);
    }

    /** One partition per core (Elixir's default). */
    public static Options perCore() {
      return partitions(Runtime.getRuntime().availableProcessors());
    }

    /** These options with {@code newFlags} as the supervisor's flags. */
    public Options withFlags(Supervisor.Flags newFlags) {
      return new Options(partitions, newFlags, partitioner);
    }

    /** These options with {@code newPartitioner} choosing the partitions. */
    public Options withPartitioner(Partitioner newPartitioner) {
      return new Options(partitions, flags, newPartitioner);
    }
  }

  /**
   * Elixir's partitioning: an {@code Integer} or {@code Long} key {@code k} goes to
   * {@code |k| mod partitions}, any other key to a spread of its {@code hashCode()}.
   */
  public static int defaultPartition(Object key, int partitions) {
    Objects.requireNonNull(key, "a partition key cannot be null");
    return switch (key) {
      case Integer i -> Math.abs(i % partitions);
      case Long l -> (int) Math.abs(l % partitions);
      default -> {
        int h = key.hashCode();
        yield Math.floorMod(h ^ (h >>> 16), partitions);
      }
    };
  }

  // =====================================================================================
  // starting

  /**
   * Starts a partition supervisor registered as {@code name}, linked to the caller, with one child
   * per partition made by {@code childSpec} from the partition number.
   *
   * @throws StartException if a child failed to start, or the spec is invalid
   */
  public static Pid startLink(Name name, Options options, IntFunction<ChildSpec> childSpec) {
    return Supervisor.startLink(of(options, childSpec), StartOptions.defaults().withName(name));
  }

  /** Starts an anonymous partition supervisor, linked to the caller; route to it by its pid. */
  public static Pid startLink(Options options, IntFunction<ChildSpec> childSpec) {
    return Supervisor.startLink(of(options, childSpec));
  }

  /**
   * A partition supervisor, to start with any of {@link Supervisor}'s start functions, or to put in
   * a child spec: {@code ChildSpec.supervisor("caches", () -> Supervisor.startLink(PartitionSupervisor.of(...)))}.
   */
  public static Supervisor of(Options options, IntFunction<ChildSpec> childSpec) {
    Objects.requireNonNull(options, "options: use PartitionSupervisor.Options.partitions(n)");
    Objects.requireNonNull(childSpec, "childSpec: give the child spec of each partition, partition -> "
        + "ChildSpec.worker(...)");
    return new Supervisor() {
      @Override
      protected Spec init() {
        Table<Object, Object> routes = Table.create(Table.Options.set().named(tableName(Proc.self())));
        routes.insert(Routing.KEY, new Routing(options.partitions(), options.partitioner()));
        List<ChildSpec> children = new ArrayList<>(options.partitions());
        for (int i = 0; i < options.partitions(); i++) {
          int partition = i;
          ChildSpec spec = Objects.requireNonNull(childSpec.apply(partition),
              () -> "the child spec function returned null for partition " + partition);
          ChildSpec.Start start = spec.start();
          children.add(new ChildSpec(partition, () -> {
            Object started = start.start();
            if (ChildSpec.resultOf(started) instanceof StartResult.Started(Pid pid)) {
              routes.insert(partition, pid); // runs in the supervisor, the table's owner
            }
            return started;
          }, spec.restart(), spec.shutdown(), spec.type(), spec.significant()));
        }
        return Spec.of(options.flags(), children);
      }
    };
  }

  // =====================================================================================
  // routing

  /**
   * The process of the partition {@code key} belongs to, typed: what to call or cast to (Elixir's
   * {@code {:via, PartitionSupervisor, {name, key}}}).
   *
   * @throws IllegalArgumentException if {@code supervisor} is not a running partition supervisor,
   *     or the partitioner chose a partition out of range
   * @throws IllegalStateException if the key's partition has no process (its start was ignored)
   */
  public static <M> ServerRef<M> route(Address supervisor, Object key) {
    return ServerRef.of(pid(supervisor, key));
  }

  /** The pid of the partition {@code key} belongs to; see {@link #route}. */
  public static Pid pid(Address supervisor, Object key) {
    Table<Object, Object> routes = routes(supervisor);
    Routing routing = (Routing) routes.get(Routing.KEY).orElseThrow();
    int partition = routing.partitioner().partition(key, routing.partitions());
    if (partition < 0 || partition >= routing.partitions()) {
      throw new IllegalArgumentException("the partitioner of " + supervisor + " chose partition " + partition
          + " for key " + key + ", but there are " + routing.partitions() + " (0 to " + (routing.partitions() - 1)
          + ")");
    }
    return (Pid) routes.get(partition).orElseThrow(() -> new IllegalStateException("partition " + partition
        + " of " + supervisor + " has no process: its start was ignored"));
  }

  /** How many partitions the supervisor has. */
  public static int partitions(Address supervisor) {
    return ((Routing) routes(supervisor).get(Routing.KEY).orElseThrow()).partitions();
  }

  /** The partitions' children, as {@link Supervisor#whichChildren}: their ids are the partition numbers. */
  public static List<Supervisor.Child> whichChildren(Address supervisor) {
    return Supervisor.whichChildren(supervisor);
  }

  /** The counts of the partitions' children, as {@link Supervisor#countChildren}. */
  public static Supervisor.Counts countChildren(Address supervisor) {
    return Supervisor.countChildren(supervisor);
  }

  private static Table<Object, Object> routes(Address supervisor) {
    Objects.requireNonNull(supervisor, "supervisor");
    Pid pid = switch (supervisor) {
      case Pid p -> p;
      case ServerRef<?> ref -> ref.name().isPresent() ? Proc.whereis(ref.name().get()).orElse(null) : ref.pid();
      case Name name -> Proc.whereis(name).orElse(null);
    };
    Optional<Table<Object, Object>> routes = pid == null ? Optional.empty()
        : Table.whereis(tableName(pid));
    return routes.orElseThrow(() -> new IllegalArgumentException(supervisor
        + " is not a running partition supervisor (started with PartitionSupervisor.startLink)"));
  }

  private static String tableName(Pid supervisor) {
    return "otp4j.partition-supervisor " + supervisor;
  }

  /** What the routing table holds besides the partitions' pids. */
  private record Routing(int partitions, Partitioner partitioner) {
    static final Object KEY = "routing";
  }
}
