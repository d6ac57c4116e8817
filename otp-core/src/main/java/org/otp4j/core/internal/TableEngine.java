package org.otp4j.core.internal;

import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.otp4j.core.NameConflictException;
import org.otp4j.core.NoProcException;
import org.otp4j.core.NoSuchTableException;
import org.otp4j.core.Pid;
import org.otp4j.core.Table;
import org.otp4j.core.TableAccessException;

/**
 * The engine of a shared table ({@code org.otp4j.core.Table} is its face): its owner and heir, its
 * name, its access rights and its lifecycle. The objects live in a {@link TableStore}.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li><b>One volatile read per operation.</b> {@code store} holds the objects; every operation
 *       reads it once, and that read is also the check that the table exists: deleting the table
 *       sets it to null, clearing it replaces it with an empty store. An operation that read the
 *       old store before the change finishes on it and is ordered before the change, so deleting
 *       and clearing are atomic for readers, and cost them nothing more than that one read.</li>
 *   <li><b>Access</b> is checked against the calling thread's process, which costs a field read
 *       ({@link ProcessImpl#current()}): for writes to a protected or private table, and for reads
 *       of a private one. Reads of public and protected tables check nothing.</li>
 *   <li><b>Ownership.</b> The engine is an {@link ExitHook} installed on its owner. When the owner
 *       terminates, the hook runs before its exit and down signals go out (as ERTS frees a process's
 *       tables before its signals, OTP rule P5): the table passes to its heir if it has a live one
 *       other than the owner itself, and the heir is sent a {@link Table.Transfer}; otherwise the
 *       table is deleted and its name freed. {@code giveAway} moves the hook to the new owner.
 *       Changes of owner and deletion happen under the engine's lock, so a hook that runs for a
 *       process that no longer owns the table (it gave it away meanwhile) does nothing. The lock is
 *       never held while blocking; inside it the engine takes at most one process lock, in
 *       {@link ProcessImpl#addExitHook}, whose holder never takes an engine lock (exit hooks run
 *       outside the process lock).</li>
 *   <li><b>Names</b> are per node: a {@code ConcurrentHashMap} kept as a node-local value.</li>
 * </ul>
 *
 * <pre>
 *   state     event                                              next state
 *   LIVE      delete(), or the owner terminates with no live heir DELETED (store null, name freed)
 *   LIVE      the owner terminates with a live heir              LIVE (the heir owns it, no heir)
 *   LIVE      giveAway(to)                                        LIVE (to owns it)
 * </pre>
 */
public final class TableEngine implements ExitHook {

  private static final AtomicLong IDS = new AtomicLong();
  private static final Object NAMES = new Object(); // the node-local key of the name table

  private final long id = IDS.incrementAndGet();
  private final NodeRuntime runtime;
  private final Table.Kind kind;
  private final Table.Access access;
  private final boolean privateReads;
  private final boolean checkedWrites;
  private final Comparator<?> order;
  private final String name; // null for an anonymous table
  private Table<?, ?> face; // the public face, set once right after construction

  private volatile TableStore<?, ?> store;
  private volatile ProcessImpl owner;
  private ProcessImpl heir; // guarded by this
  private Object heirData; // guarded by this
  private volatile String deletedBecause;

  private TableEngine(NodeRuntime runtime, Table.Kind kind, Table.Access access, String name, Comparator<?> order,
      ProcessImpl owner) {
    this.runtime = runtime;
    this.kind = kind;
    this.access = access;
    this.privateReads = access == Table.Access.PRIVATE;
    this.checkedWrites = access != Table.Access.PUBLIC;
    this.order = order;
    this.name = name;
    this.owner = owner;
    this.store = TableStore.create(kind, order);
  }

  /**
   * Creates a table owned by {@code owner} (the calling process), named if {@code name} is not null,
   * and installs its exit hook.
   *
   * @throws NameConflictException if a table of that name exists on the node
   */
  public static TableEngine create(ProcessImpl owner, Table.Kind kind, Table.Access access, String name,
      Comparator<?> order, Pid heirPid, Object heirData) {
    ProcessImpl heir = heirPid == null ? null : local(owner.runtime(), heirPid, "Table.create (heir)");
    TableEngine engine = new TableEngine(owner.runtime(), kind, access, name, order, owner);
    engine.heir = heir;
    engine.heirData = heirData;
    if (name != null) {
      TableEngine holder = names(owner.runtime()).putIfAbsent(name, engine);
      if (holder != null) {
        throw new NameConflictException("cannot create table '" + name + "': a table of that name exists on node "
            + owner.runtime().name() + ", owned by " + holder.owner.displayName()
            + "; choose another name, or find the existing one with Table.whereis(\"" + name + "\")");
      }
    }
    if (!owner.addExitHook(engine)) {
      engine.store = null;
      if (name != null) {
        names(owner.runtime()).remove(name, engine);
      }
      throw owner.terminated();
    }
    return engine;
  }

  /** Sets the public face, once, right after {@link #create}. */
  public void face(Table<?, ?> table) {
    this.face = table;
  }

  /** The public face. */
  public Table<?, ?> face() {
    return face;
  }

  /** Whether keys must be {@code Comparable}: an ordered set without a comparator. */
  public boolean naturalOrder() {
    return kind == Table.Kind.ORDERED_SET && order == null;
  }

  /** The table named {@code name} on {@code runtime}, or null. */
  public static TableEngine named(NodeRuntime runtime, String name) {
    return names(runtime).get(name);
  }

  @SuppressWarnings("unchecked")
  private static ConcurrentHashMap<String, TableEngine> names(NodeRuntime runtime) {
    return (ConcurrentHashMap<String, TableEngine>) runtime.local(NAMES, ConcurrentHashMap::new);
  }

  // ---------------------------------------------------------------------------------------
  // the checks every operation makes

  /** The store, for a read by the calling thread. */
  public TableStore<?, ?> reading(String operation) {
    TableStore<?, ?> s = store;
    if (s == null) {
      throw deleted(operation);
    }
    if (privateReads && ProcessImpl.current() != owner) {
      throw denied(operation, "private: only its owner " + owner.displayName() + " may read or write it");
    }
    return s;
  }

  /** The store, for a write by the calling thread. */
  public TableStore<?, ?> writing(String operation) {
    TableStore<?, ?> s = store;
    if (s == null) {
      throw deleted(operation);
    }
    if (checkedWrites && ProcessImpl.current() != owner) {
      throw denied(operation, access.name().toLowerCase(java.util.Locale.ROOT) + ": only its owner "
          + owner.displayName() + " may write to it");
    }
    return s;
  }

  private NoSuchTableException deleted(String operation) {
    return new NoSuchTableException(operation + ": " + this + " no longer exists: " + deletedBecause
        + "; a table lives as long as its owner (give it an heir, or give it away, to keep it)");
  }

  private TableAccessException denied(String operation, String rule) {
    ProcessImpl caller = ProcessImpl.current();
    return new TableAccessException(operation + ": " + this + " is " + rule + ", and the caller is "
        + (caller == null ? "a plain thread" : caller.displayName())
        + "; send the request to the owner, or create the table with Table.Access.PUBLIC");
  }

  // ---------------------------------------------------------------------------------------
  // lifecycle

  /** Deletes the table (ETS's {@code delete/1}); needs write access. */
  public void delete() {
    writing("delete");
    ProcessImpl was;
    synchronized (this) {
      if (store == null) {
        return;
      }
      was = owner;
      ProcessImpl caller = ProcessImpl.current();
      drop("it was deleted by " + (caller == null ? "a plain thread" : caller.displayName()));
    }
    was.removeExitHook(this);
  }

  /** Empties the table at once, for every reader (ETS's {@code delete_all_objects/1}). */
  public void clear() {
    writing("deleteAllObjects");
    synchronized (this) {
      if (store != null) {
        store = TableStore.create(kind, order);
      }
    }
  }

  /** Deletes; the caller holds the lock. */
  private void drop(String because) {
    deletedBecause = because;
    store = null;
    if (name != null) {
      names(runtime).remove(name, this);
    }
  }

  /** Whether the table still exists. */
  public boolean exists() {
    return store != null;
  }

  @Override
  public void processExited(ProcessImpl p) {
    ProcessImpl to;
    Object data;
    synchronized (this) {
      if (p != owner || store == null) {
        return; // it gave the table away, or deleted it, meanwhile
      }
      to = heir;
      data = heirData;
      if (to == null || to == p || !to.addExitHook(this)) {
        drop("its owner " + p.displayName() + " terminated (reason: " + p.exitReason() + ")"
            + (to == null || to == p ? "" : " and its heir " + to.displayName() + " was not alive"));
        return;
      }
      owner = to;
      heir = null; // as in ETS: an heir inherits once
      heirData = null;
    }
    // NOTE: sent as from the dying owner: the heir's hook is installed first, so if the heir dies
    // now, the table is still handled; a message to a dead heir is simply dropped.
    if (to.deliver(new Table.Transfer(face, p.pid(), data))) {
      ProcessImpl.terminateChain(to); // its bounded mailbox overflowed, and its policy is to exit
    }
  }

  /** Makes {@code to} the owner and sends it a {@link Table.Transfer} (ETS's {@code give_away/3}). */
  public void giveAway(Pid toPid, Object data) {
    ProcessImpl self = ownerOnly("giveAway");
    ProcessImpl to = local(runtime, toPid, "giveAway");
    if (to == self) {
      throw new IllegalArgumentException("giveAway: " + toPid + " already owns " + this
          + "; give the table to another process");
    }
    synchronized (this) {
      if (store == null) {
        throw deleted("giveAway");
      }
      self.checkAlive(); // killed meanwhile: its hook has run or will run, and it owns nothing
      if (!to.addExitHook(this)) {
        throw new NoProcException(toPid, "giveAway of " + this);
      }
      owner = to;
    }
    self.removeExitHook(this);
    Kernel.send(self, to, new Table.Transfer(face, self.pid(), data));
  }

  /** Sets or clears (with null) the heir (ETS's {@code setopts(T, {heir, ...})}). */
  public void setHeir(Pid heirPid, Object data) {
    ownerOnly("setHeir");
    ProcessImpl h = heirPid == null ? null : local(runtime, heirPid, "setHeir");
    synchronized (this) {
      if (store == null) {
        throw deleted("setHeir");
      }
      heir = h;
      heirData = h == null ? null : data;
    }
  }

  private ProcessImpl ownerOnly(String operation) {
    TableStore<?, ?> s = store;
    if (s == null) {
      throw deleted(operation);
    }
    ProcessImpl caller = ProcessImpl.current();
    if (caller == null || caller != owner) {
      throw new TableAccessException(operation + ": only the owner " + owner.displayName() + " of " + this
          + " may do this, and the caller is " + (caller == null ? "a plain thread" : caller.displayName()));
    }
    caller.checkAlive();
    return caller;
  }

  private static ProcessImpl local(NodeRuntime runtime, Pid pid, String operation) {
    ProcessImpl p = Kernel.process(pid);
    if (p.runtime() != runtime) {
      throw new IllegalArgumentException(operation + ": " + pid + " is a process of node " + p.runtime().name()
          + ", but the table is on node " + runtime.name() + "; a table's owner and heir are processes of its node");
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------
  // info

  public long id() {
    return id;
  }

  public Table.Kind kind() {
    return kind;
  }

  public Table.Access access() {
    return access;
  }

  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  public Pid owner() {
    return owner.pid();
  }

  public synchronized Optional<Pid> heir() {
    return heir == null ? Optional.empty() : Optional.of(heir.pid());
  }

  public NodeRuntime runtime() {
    return runtime;
  }

  @Override
  public String toString() {
    return name != null ? "table '" + name + "'" : "table #" + id;
  }
}
