package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.exitReason;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.TestSupport.Reports;

@DisplayName("A node's report handler receives its reports instead of the logger")
class ReportHandlerTest {

  @Test
  @DisplayName("The crash of a process goes to its node's handler, with its fields, text and cause; not to the log")
  void crashGoesToHandler() {
    List<NodeReport> handled = new CopyOnWriteArrayList<>();
    IllegalStateException boom = new IllegalStateException("boom");
    try (Node node = Node.start(NodeConfig.defaults().withReportHandler(handled::add));
        Reports logged = Reports.capture(node)) {
      Pid p = node.spawn(() -> {
        throw boom;
      });
      assertThat(exitReason(p)).isEqualTo(ExitReason.crash(boom));
      node.stop();
      assertThat(node.awaitTermination(TestSupport.WAIT)).isTrue(); // the report is written before the thread ends

      assertThat(handled).singleElement().satisfies(r -> {
        assertThat(r.label()).isEqualTo("process_crash");
        assertThat(r.field("pid")).isEqualTo(p.toString());
        assertThat(r.level()).isEqualTo(System.Logger.Level.ERROR);
        assertThat(r.logger()).isEqualTo(TestSupport.RUNTIME_LOGGER);
        assertThat(r.text()).isEqualTo("Error in process " + p + " with exit value: " + boom);
        assertThat(r.cause()).containsSame(boom);
      });
      assertThat(logged.errors()).isEmpty();
    }
  }

  @Test
  @DisplayName("A node without a handler logs as before, and another node's handler sees nothing of it")
  void otherNodesLog() {
    List<NodeReport> handled = new CopyOnWriteArrayList<>();
    IllegalStateException boom = new IllegalStateException("boom");
    try (Node quiet = Node.start(NodeConfig.defaults().withReportHandler(handled::add));
        Node loud = Node.start(); Reports logged = Reports.capture(loud)) {
      Pid p = loud.spawn(() -> {
        throw boom;
      });
      exitReason(p);
      List<TestSupport.Report> errors = logged.errorsAfterStop();
      assertThat(errors).singleElement().satisfies(r -> TestSupport.assertCrashReport(r, p, boom));
      assertThat(handled).isEmpty();
      assertThat(quiet.config().reportHandler()).isPresent();
    }
  }
}
