package org.otp4j.examples.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.Supervisor;

/**
 * The ledger application's top supervisor.
 *
 * <pre>
 * ledger_sup (rest_for_one)
 * |-- writer      Writer: owns the database and its threads; every write, batched (group commit)
 * |-- accounts    DynamicSupervisor: one Account per active account, temporary, started on demand
 * |-- workflows   DynamicSupervisor: one TransferWorkflow per transfer under way, transient
 * |-- holds       DynamicSupervisor: one CardHold per active card authorization, transient
 * |-- recovery    Recovery: at start, a process for every unfinished transfer and active hold
 * |-- auditor     Auditor: checks the invariants, keeps its last verdict
 * |-- chaos       Chaos: only when chaosInterval is set
 * `-- web         HttpEndpoint: the Jetty server (JSON API, audit page)
 * </pre>
 *
 * <p>Rest for one: everything after the writer uses the database it opens, so if the writer
 * restarts, the rest restart after it (and recovery finds the transfers they were driving). A kill
 * of a workflow or an account counts against its own dynamic supervisor only. The workflows and
 * holds supervisors allow many restarts: a restarted workflow only reads its journal and goes on,
 * and the chaos monkey kills one every tenth of a second.
 */
final class LedgerSupervisor extends Supervisor {
  private final Ledger ledger;

  LedgerSupervisor(Ledger ledger) {
    this.ledger = ledger;
  }

  @Override
  protected Spec init() {
    DynamicSupervisor.Options many = DynamicSupervisor.Options.defaults().withIntensity(10_000, Duration.ofSeconds(10));
    List<ChildSpec> children = new ArrayList<>(List.of(
        ChildSpec.worker("writer", () -> Writer.startLink(ledger)),
        ChildSpec.supervisor("accounts", () -> DynamicSupervisor.startLink(Ledger.ACCOUNTS, many,
            Account.template(ledger))),
        ChildSpec.supervisor("workflows", () -> DynamicSupervisor.startLink(Ledger.WORKFLOWS, many,
            TransferWorkflow.template(ledger))),
        ChildSpec.supervisor("holds", () -> DynamicSupervisor.startLink(Ledger.HOLDS, many,
            CardHold.template(ledger))),
        ChildSpec.worker("recovery", () -> Recovery.startLink(ledger)),
        ChildSpec.worker("auditor", () -> Auditor.startLink(ledger))));
    if (ledger.config().chaosInterval().isPositive()) {
      children.add(ChildSpec.worker("chaos", () -> Chaos.startLink(ledger)));
    }
    children.add(ChildSpec.worker("web", () -> HttpEndpoint.startLink(ledger)));
    return Spec.of(Supervisor.restForOne().withIntensity(5, Duration.ofSeconds(10)), children);
  }
}
