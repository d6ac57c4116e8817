package org.otp4j.examples.ledger;

import org.otp4j.core.Name;
import org.otp4j.core.Registry;
import org.otp4j.core.ServerRef;
import org.otp4j.examples.JettyProcess;

/**
 * What the processes of one running ledger share: its settings, its registries and its store.
 * Made by {@link LedgerApp#start} and handed to every child; nothing here is static, so several
 * ledgers can run on several nodes in one JVM.
 *
 * @param config the settings
 * @param accounts account id to its account process (unique keys): the accounts' via names
 * @param workflows transfer id to its workflow process, and {@link CardHold.Key} to a card hold's
 *     process (unique keys)
 * @param store the database facade
 */
public record Ledger(LedgerConfig config, Registry accounts, Registry workflows, LedgerStore store) {

  /** The writer process: every write goes through it, batched. */
  public static final ServerRef<Writer.Request> WRITER = ServerRef.local("ledger_writer");
  /** The dynamic supervisor of the account processes. */
  public static final Name ACCOUNTS = Name.local("ledger_accounts");
  /** The dynamic supervisor of the transfer workflows. */
  public static final Name WORKFLOWS = Name.local("ledger_workflows");
  /** The dynamic supervisor of the card holds. */
  public static final Name HOLDS = Name.local("ledger_holds");
  /** The recovery process. */
  public static final ServerRef<Recovery.Request> RECOVERY = ServerRef.local("ledger_recovery");
  /** The auditor. */
  public static final ServerRef<Auditor.Request> AUDITOR = ServerRef.local("ledger_auditor");
  /** The HTTP endpoint. */
  public static final ServerRef<JettyProcess.Request> WEB = ServerRef.local("ledger_web");

  static Ledger create(LedgerConfig config) {
    return new Ledger(config, Registry.unique("ledger.accounts"), Registry.unique("ledger.workflows"), new LedgerStore());
  }

  /** The name of the process of account {@code id}. */
  public Name accountName(String id) {
    return Name.via(accounts, id);
  }

  /** The name of the workflow of transfer {@code id}. */
  public Name workflowName(long id) {
    return Name.via(workflows, id);
  }

  /** The name of the process of card hold {@code id}. */
  public Name holdName(long id) {
    return Name.via(workflows, new CardHold.Key(id));
  }
}
