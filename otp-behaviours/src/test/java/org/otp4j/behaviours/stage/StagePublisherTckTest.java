package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.testng.ITestResult;
import org.testng.TestListenerAdapter;
import org.testng.TestNG;

@ExtendWith(CaptureReports.class)
@DisplayName("StageFlow: a producer as a Flow.Publisher passes the Reactive Streams TCK")
class StagePublisherTckTest {

  @Test
  @DisplayName("every required rule of the Reactive Streams publisher TCK passes; optional ones pass or are skipped "
      + "as not applicable")
  void publisherTck() {
    TestNG testng = new TestNG(false);
    testng.setTestClasses(new Class<?>[] {StagePublisherVerification.class});
    testng.setVerbose(0);
    TestListenerAdapter results = new TestListenerAdapter();
    testng.addListener(results);
    testng.run();

    // what was skipped, and why, in the test's output
    results.getSkippedTests().forEach(r -> System.out.println("TCK skipped: " + describe(r)));
    List<String> failed = results.getFailedTests().stream().map(StagePublisherTckTest::describe).toList();
    assertThat(failed).as("TCK rules that failed").isEmpty();
    List<String> passed = results.getPassedTests().stream().map(r -> r.getMethod().getMethodName()).toList();
    assertThat(passed).as("TCK rules that passed").hasSizeGreaterThanOrEqualTo(28)
        .contains("required_spec109_mustIssueOnSubscribeForNonNullSubscriber",
            "required_spec306_afterSubscriptionIsCancelledRequestMustBeNops",
            "required_spec309_requestZeroMustSignalIllegalArgumentException",
            "required_spec317_mustSupportACumulativePendingElementCountUpToLongMaxValue",
            "required_spec105_mustSignalOnCompleteWhenFiniteStreamTerminates");
  }

  private static String describe(ITestResult r) {
    Throwable t = r.getThrowable();
    return r.getMethod().getMethodName() + (t == null ? "" : ": " + t);
  }
}
