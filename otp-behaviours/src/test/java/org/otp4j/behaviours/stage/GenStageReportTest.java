package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.stage.StageTestKit.exitReason;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.StartException;
import org.otp4j.behaviours.Sys;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

@ExtendWith(CaptureReports.class)
@DisplayName("GenStage: a stage's crash reports and status say it is a GenStage")
class GenStageReportTest {
  /** A producer that crashes on any cast. */
  static final class Fragile extends Producer<String, Long> {
    @Override
    protected Init<String> init() {
      return Init.ok("ready");
    }

    @Override
    protected CastResult<String, Long> handleDemand(long demand, String state) {
      return noReply(state);
    }

    @Override
    protected CastResult<String, Long> handleCast(Object request, String state) {
      throw new IllegalStateException("fragile broke on " + request);
    }
  }

  @Test
  @DisplayName("a stage that crashes logs one gen_server_terminate report labelled GenStage")
  void crashReport(Reports reports) {
    Pid stage = GenStage.start(new Fragile());
    assertThat(Sys.getStatus(stage).behaviour()).isEqualTo("GenStage");

    GenStage.cast(stage, "boom");
    assertThat(exitReason(stage)).isInstanceOfSatisfying(ExitReason.Crash.class,
        c -> assertThat(c.error()).hasMessage("fragile broke on boom"));
    List<Map<String, Object>> found = reports.awaitLabel("gen_server_terminate", 1);
    assertThat(found).singleElement().satisfies(r -> {
      assertThat(r).containsEntry("behaviour", "GenStage");
      assertThat(String.valueOf(r.get("lastMessage"))).contains("boom");
      assertThat((String) r.get("@message")).startsWith("** GenStage " + stage + " terminating\n");
    });
  }

  @Test
  @DisplayName("a stage whose init fails logs a crash_report labelled GenStage")
  void initCrashReport(Reports reports) {
    assertThatThrownBy(() -> GenStage.start(new Producer<String, Long>() {
      @Override
      protected Init<String> init() {
        throw new IllegalArgumentException("no source configured");
      }

      @Override
      protected CastResult<String, Long> handleDemand(long demand, String state) {
        return noReply(state);
      }
    })).isInstanceOf(StartException.class);
    assertThat(reports.awaitLabel("crash_report", 1)).singleElement().satisfies(r -> {
      assertThat(r).containsEntry("behaviour", "GenStage").containsEntry("phase", "init");
      assertThat((String) r.get("@message")).startsWith("** GenStage ").contains("failed in init");
    });
  }
}
