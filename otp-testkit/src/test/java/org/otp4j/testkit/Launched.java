package org.otp4j.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a test class through the JUnit Platform launcher and keeps the outcome of each of its test
 * methods: how the kit's own tests prove that a test using the kit fails when it should, and with
 * what message. The classes it runs are nested in the kit's tests, which the build does not run by
 * themselves.
 */
final class Launched {
  private final Map<String, TestExecutionResult> results = new LinkedHashMap<>();

  private Launched() {}

  /** Runs every test of {@code testClass}. */
  static Launched run(Class<?> testClass) {
    Launched out = new Launched();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              out.results.put(id.getDisplayName().replaceAll("\\(.*\\)$", ""), result);
            }
          }
        });
    return out;
  }

  /** How the test method {@code name} ended. */
  TestExecutionResult result(String name) {
    TestExecutionResult r = results.get(name);
    if (r == null) {
      throw new AssertionError("no test " + name + " ran; the tests that ran: " + results.keySet());
    }
    return r;
  }

  /** Whether test {@code name} passed. */
  boolean passed(String name) {
    return result(name).getStatus() == TestExecutionResult.Status.SUCCESSFUL;
  }

  /** What test {@code name} failed with, or empty if it passed. */
  Optional<Throwable> failure(String name) {
    return result(name).getThrowable();
  }

  /** The message test {@code name} failed with; fails if it passed. */
  String failureMessage(String name) {
    return failure(name).map(Throwable::getMessage)
        .orElseThrow(() -> new AssertionError("test " + name + " passed, but it should have failed"));
  }

  @Override
  public String toString() {
    return results.toString();
  }
}
