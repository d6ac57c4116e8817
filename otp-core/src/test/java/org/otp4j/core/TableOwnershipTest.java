package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.RegistryMember.call;
import static org.otp4j.core.RegistryMember.run;
import static org.otp4j.core.TestSupport.next;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Table: owners, access rights, names, heirs and give-away (P5)")
class TableOwnershipTest {

  private static <K, V> Table<K, V> createIn(Inbox inbox, Pid owner, Table.Options options) {
    Object created = call(inbox, owner, () -> Table.create(options));
    assertThat(created).isInstanceOf(Table.class);
    @SuppressWarnings("unchecked")
    Table<K, V> table = (Table<K, V>) created;
    return table;
  }

  /** Kills {@code pid} and waits for its Down: its tables are handled before the Down is sent. */
  private static void killAndAwaitDown(Inbox inbox, Pid pid) {
    Ref ref = inbox.monitor(pid);
    inbox.exit(pid, ExitReason.KILL);
    Down down = next(inbox, Down.class);
    assertThat(down.ref()).isEqualTo(ref);
  }

  @Test
  @DisplayName("protected: the owner writes; another process and a plain thread read but get TableAccessException "
      + "when they write")
  void protectedTable() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Pid other = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().named("prices"));
      run(inbox, owner, () -> t.insert("tea", 3));

      Object write = run(inbox, other, () -> t.insert("tea", 0));

      assertThat(call(inbox, other, () -> t.get("tea"))).isEqualTo(Optional.of(3));
      assertThat(t.lookup("tea")).as("a plain thread reads").containsExactly(3);
      assertThat(write).isInstanceOfSatisfying(TableAccessException.class, e -> assertThat(e).hasMessage(
          "insert: table 'prices' is protected: only its owner " + owner + " may write to it, and the caller is "
              + other + "; send the request to the owner, or create the table with Table.Access.PUBLIC"));
      assertThatThrownBy(() -> t.updateCounter("tea", 1)).isInstanceOf(TableAccessException.class)
          .hasMessageContaining("the caller is a plain thread");
      assertThatThrownBy(() -> t.delete("tea")).isInstanceOf(TableAccessException.class);
      assertThatThrownBy(t::deleteAllObjects).isInstanceOf(TableAccessException.class);
      assertThatThrownBy(t::delete).isInstanceOf(TableAccessException.class);
      assertThat(t.get("tea")).as("nothing changed").contains(3);
    }
  }

  @Test
  @DisplayName("private: only the owner reads or writes; others get TableAccessException even for reads")
  void privateTable() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Pid other = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().withAccess(Table.Access.PRIVATE));
      run(inbox, owner, () -> t.insert("k", 1));

      assertThat(call(inbox, owner, () -> t.lookup("k"))).isEqualTo(java.util.List.of(1));
      assertThat(call(inbox, other, () -> t.lookup("k"))).isInstanceOfSatisfying(TableAccessException.class,
          e -> assertThat(e).hasMessageContaining("is private: only its owner " + owner + " may read or write it"));
      assertThatThrownBy(() -> t.member("k")).isInstanceOf(TableAccessException.class);
      assertThatThrownBy(t::iterator).isInstanceOf(TableAccessException.class);
      assertThatThrownBy(t::size).isInstanceOf(TableAccessException.class);
    }
  }

  @Test
  @DisplayName("public: any process or plain thread writes, and may delete the table")
  void publicTable() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Pid other = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().named("pub").withAccess(Table.Access.PUBLIC));

      run(inbox, other, () -> t.insert("a", 1));
      t.insert("b", 2);
      assertThat(t.size()).isEqualTo(2);
      t.delete();
      assertThat(t.exists()).isFalse();
      assertThat(Table.whereis(node, "pub")).isEmpty();
    }
  }

  @Test
  @DisplayName("names: whereis and named find a table; a second table of the name conflicts; an unknown name is "
      + "NoSuchTableException; a plain thread cannot own a table")
  void names() {
    try (Node node = Node.start(); Node other = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().named("cfg"));

      Object conflict = call(inbox, owner, () -> Table.create(Table.Options.bag().named("cfg")));

      assertThat(Table.<String, Integer>whereis(node, "cfg")).containsSame(t);
      assertThat(call(inbox, owner, () -> Table.named("cfg"))).isSameAs(t);
      assertThat(Table.whereis(other, "cfg")).as("names are per node").isEmpty();
      assertThat(conflict).isInstanceOfSatisfying(NameConflictException.class, e -> assertThat(e).hasMessageStartingWith(
          "cannot create table 'cfg': a table of that name exists on node").hasMessageContaining("owned by " + owner));
      node.run(() -> assertThatThrownBy(() -> Table.named("nope")).isInstanceOf(NoSuchTableException.class)
          .hasMessageStartingWith("Table.named: no table is named 'nope' on this node"));
      assertThatThrownBy(() -> Table.create(Table.Options.set())).isInstanceOf(NotAProcessException.class);
    }
  }

  @Test
  @DisplayName("P5: a table is deleted when its owner terminates, before its Down: after the Down the name is free, "
      + "and every use throws NoSuchTableException saying why")
  void deletedWithItsOwner() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().named("session"));
      Table<String, Integer> anonymous = createIn(inbox, owner, Table.Options.bag().withAccess(Table.Access.PUBLIC));
      run(inbox, owner, () -> t.insert("k", 1));

      killAndAwaitDown(inbox, owner);

      assertThat(t.exists()).isFalse();
      assertThat(anonymous.exists()).isFalse();
      assertThat(Table.whereis(node, "session")).isEmpty();
      assertThatThrownBy(() -> t.lookup("k")).isInstanceOf(NoSuchTableException.class).hasMessage(
          "lookup: table 'session' no longer exists: its owner " + owner + " terminated (reason: killed); a table "
              + "lives as long as its owner (give it an heir, or give it away, to keep it)");
      assertThatThrownBy(() -> anonymous.insert("k", 1)).isInstanceOf(NoSuchTableException.class);
      assertThatThrownBy(t::info).isInstanceOf(NoSuchTableException.class);
      Pid next = RegistryMember.spawn(node, inbox);
      assertThat(call(inbox, next, () -> Table.create(Table.Options.set().named("session"))))
          .as("the name is free at once").isInstanceOf(Table.class);
    }
  }

  @Test
  @DisplayName("P5: a table also goes with an owner that returns normally or crashes, not only one that is killed")
  void deletedOnEveryExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid owner = node.spawn(() -> {
        Table<String, Integer> t = Table.create(Table.Options.set().named("short"));
        Proc.send(me, t);
      });
      inbox.monitor(owner);
      Object t = next(inbox);
      next(inbox, Down.class);
      assertThat(((Table<?, ?>) t).exists()).isFalse();
      assertThat(Table.whereis(node, "short")).isEmpty();
    }
  }

  @Test
  @DisplayName("heir: when the owner terminates, a live heir owns the table and receives a Transfer; it inherits "
      + "once, and the table goes when the heir terminates")
  void heirInherits() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner,
          Table.Options.set().named("kept").withHeir(inbox.pid(), "from the owner"));
      run(inbox, owner, () -> t.insert("k", 1));

      killAndAwaitDown(inbox, owner);

      Table.Transfer transfer = next(inbox, Table.Transfer.class);
      Table<String, Integer> inherited = transfer.typedTable();
      assertThat(inherited).isSameAs(t);
      assertThat(transfer.from()).isEqualTo(owner);
      assertThat(transfer.data()).isEqualTo("from the owner");
      assertThat(t.owner()).isEqualTo(inbox.pid());
      assertThat(t.heir()).as("an heir inherits once").isEmpty();
      assertThat(t.get("k")).contains(1);
      assertThat(Table.whereis(node, "kept").orElseThrow()).isSameAs(t);
      inbox.close();
      assertThat(t.exists()).as("gone with the heir, which had no heir").isFalse();
    }
  }

  @Test
  @DisplayName("heir: a dead heir, or an heir that is the owner itself, inherits nothing: the table is deleted")
  void deadHeir() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Pid heir = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().named("lost").withHeir(heir, null));
      Table<String, Integer> self = createIn(inbox, owner, Table.Options.set());
      run(inbox, owner, () -> self.setHeir(owner, "me"));
      killAndAwaitDown(inbox, heir);

      killAndAwaitDown(inbox, owner);

      assertThat(t.exists()).isFalse();
      assertThat(self.exists()).isFalse();
      assertThatThrownBy(() -> t.get("k")).hasMessageContaining("and its heir " + heir + " was not alive");
    }
  }

  @Test
  @DisplayName("setHeir and removeHeir: the owner only; a removed heir inherits nothing")
  void setAndRemoveHeir() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set());

      assertThat(run(inbox, owner, () -> t.setHeir(inbox.pid(), 1))).isEqualTo("ok");
      assertThat(t.heir()).contains(inbox.pid());
      assertThatThrownBy(() -> t.setHeir(inbox.pid(), 2)).isInstanceOf(TableAccessException.class)
          .hasMessageContaining("setHeir: only the owner " + owner);
      assertThat(run(inbox, owner, t::removeHeir)).isEqualTo("ok");
      killAndAwaitDown(inbox, owner);

      assertThat(t.exists()).isFalse();
      assertThat(inbox.flush()).as("no Transfer").noneMatch(Table.Transfer.class::isInstance);
    }
  }

  @Test
  @DisplayName("giveAway: the new owner receives a Transfer and writes; the old one no longer does, and its "
      + "termination leaves the table alone")
  void giveAway() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().named("gift"));

      assertThat(run(inbox, owner, () -> t.giveAway(inbox.pid(), "yours"))).isEqualTo("ok");

      Table.Transfer transfer = next(inbox, Table.Transfer.class);
      assertThat(transfer).isEqualTo(new Table.Transfer(t, owner, "yours"));
      assertThat(t.owner()).isEqualTo(inbox.pid());
      assertThat(run(inbox, owner, () -> t.insert("k", 1))).isInstanceOf(TableAccessException.class);
      killAndAwaitDown(inbox, owner);
      assertThat(t.exists()).isTrue();
    }
  }

  @Test
  @DisplayName("giveAway: bad input: not the owner, a dead process, the owner itself, a process of another node")
  void giveAwayErrors() {
    try (Node node = Node.start(); Node elsewhere = Node.start(); Inbox inbox = node.openInbox();
        Inbox foreign = elsewhere.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Pid dead = RegistryMember.spawn(node, inbox);
      killAndAwaitDown(inbox, dead);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().named("g"));

      assertThatThrownBy(() -> t.giveAway(inbox.pid(), null)).isInstanceOf(TableAccessException.class)
          .hasMessage("giveAway: only the owner " + owner + " of table 'g' may do this, and the caller is a plain thread");
      assertThat(run(inbox, owner, () -> t.giveAway(dead, null))).isInstanceOfSatisfying(NoProcException.class,
          e -> assertThat(e.pid()).isEqualTo(dead));
      assertThat(run(inbox, owner, () -> t.giveAway(owner, null))).isInstanceOfSatisfying(
          IllegalArgumentException.class, e -> assertThat(e).hasMessageContaining("already owns table 'g'"));
      assertThat(run(inbox, owner, () -> t.giveAway(foreign.pid(), null))).isInstanceOfSatisfying(
          IllegalArgumentException.class, e -> assertThat(e).hasMessageContaining("a process of node"));
      assertThat(t.owner()).isEqualTo(owner);
    }
  }

  @Test
  @DisplayName("delete: the owner deletes; the name is free at once; a deleted table throws, deleting it again too")
  void deleteByOwner() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid owner = RegistryMember.spawn(node, inbox);
      Table<String, Integer> t = createIn(inbox, owner, Table.Options.set().named("tmp"));

      assertThat(run(inbox, owner, t::delete)).isEqualTo("ok");

      assertThat(Table.whereis(node, "tmp")).isEmpty();
      assertThatThrownBy(() -> t.get("k")).isInstanceOf(NoSuchTableException.class)
          .hasMessageContaining("it was deleted by " + owner);
      assertThat(run(inbox, owner, t::delete)).isInstanceOf(NoSuchTableException.class);
      assertThat(call(inbox, owner, () -> Table.create(Table.Options.set().named("tmp")))).isInstanceOf(Table.class);
    }
  }
}
