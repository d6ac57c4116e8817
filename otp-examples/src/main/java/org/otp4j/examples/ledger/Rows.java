package org.otp4j.examples.ledger;

import java.util.Set;

/** The ledger's rows as the store reads them: accounts, transfers, holds, workflow steps. */
public final class Rows {
  private Rows() {}

  /** Account statuses: open accounts move money, frozen ones do not, closed ones never again. */
  public static final String OPEN = "open";
  /** A frozen account: no money moves in or out until it is unfrozen. */
  public static final String FROZEN = "frozen";
  /** A closed account: final. */
  public static final String CLOSED = "closed";

  /**
   * The states of a transfer's workflow, in the order they are journaled.
   *
   * <pre>
   * state        journaled before                  next
   * VALIDATE     checking both accounts (at accept) RESERVE, COMPENSATE
   * RESERVE      holding the amount on the source   POST, COMPENSATE (refused, or stepTimeout passed)
   * POST         writing the two entries            COMPLETED (same transaction), COMPENSATE (refused)
   * COMPENSATE   releasing the hold                 FAILED (same transaction)
   * COMPLETED    terminal: both entries written
   * FAILED       terminal: nothing written, the hold released
   * </pre>
   */
  public enum TransferState {
    VALIDATE, RESERVE, POST, COMPENSATE, COMPLETED, FAILED;

    /** Whether the workflow is over. */
    public boolean terminal() {
      return this == COMPLETED || this == FAILED;
    }
  }

  /** The states a transfer is unfinished in. */
  static final Set<String> UNFINISHED = Set.of("VALIDATE", "RESERVE", "POST", "COMPENSATE");

  /**
   * An account. Amounts are in minor units (cents), as {@code long}.
   *
   * @param id the account's id
   * @param currency its ISO 4217 currency code
   * @param status {@link #OPEN}, {@link #FROZEN} or {@link #CLOSED}
   * @param overdraft how far below zero its balance may go (0: not at all)
   * @param balance the sum of its journal entries
   * @param reserved the sum of its active holds (transfers under way, card authorizations)
   */
  public record Account(String id, String currency, String status, long overdraft, long balance, long reserved) {
    /** What can still be spent: balance plus overdraft, less what is held. */
    public long available() {
      return balance + overdraft - reserved;
    }
  }

  /**
   * A money movement (transfer, deposit, withdrawal, card capture) and where its workflow stands.
   *
   * @param id its id
   * @param key the client's idempotency key
   * @param kind {@code transfer}, {@code deposit}, {@code withdraw} or {@code capture}
   * @param from the debited account (for a deposit: the currency's world account)
   * @param to the credited account (for a withdrawal: the world account)
   * @param amount the amount in minor units
   * @param currency the currency
   * @param state where its workflow stands
   * @param outcome {@code completed}, a refusal code, or null while unfinished
   * @param detail the refusal's message, or null
   * @param createdAt when it was accepted (epoch ms)
   */
  public record Transfer(long id, String key, String kind, String from, String to, long amount, String currency,
      TransferState state, String outcome, String detail, long createdAt) {}

  /**
   * A hold on an account: a transfer's reservation ({@code kind = transfer}, id = the transfer's) or
   * a card authorization ({@code kind = card}).
   *
   * @param id its id
   * @param account the account it holds money on
   * @param merchant the account a card capture pays (null for a transfer's reservation)
   * @param amount the amount held
   * @param kind {@code transfer} or {@code card}
   * @param status {@code active}, then {@code consumed} (posted), {@code released}, {@code captured},
   *     {@code voided} or {@code expired}; or {@code declined} (a card authorization of more than the
   *     account could spend, which holds nothing)
   * @param expiresAt when a card authorization expires (epoch ms; 0 for a reservation)
   * @param captured the amount captured (0 unless captured)
   */
  public record Hold(long id, String account, String merchant, long amount, String kind, String status,
      long expiresAt, long captured) {}
}
