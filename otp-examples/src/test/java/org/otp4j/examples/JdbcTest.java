package org.otp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessTerminated;

/**
 * The stores' wait for database work: its result, its failures as the store's own exception, and a
 * killed caller unwinding as a kill rather than as a store failure.
 */
class JdbcTest {
  /** A store's exception, as the stores declare theirs. */
  static final class StoreFailed extends RuntimeException {
    StoreFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Node node = Node.start();

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void theWorksResultIsReturned() {
    assertThat(Jdbc.await(CompletableFuture.completedFuture(42), 1, Jdbc.OnGiveUp.CANCEL, StoreFailed::new))
        .isEqualTo(42);
  }

  @Test
  void aFailedWorkIsTheStoresExceptionWithWhatTheWorkThrew() {
    SQLException broken = new SQLException("no such table: rooms");
    assertThatThrownBy(() -> Jdbc.await(CompletableFuture.failedFuture(broken), 1, Jdbc.OnGiveUp.CANCEL,
        StoreFailed::new))
        .isInstanceOf(StoreFailed.class)
        .hasMessage("database error: no such table: rooms")
        .hasCause(broken);
  }

  @Test
  void aLateWorkIsCancelledOrLeftToFinishAsAsked() {
    CompletableFuture<Integer> cancelled = new CompletableFuture<>();
    assertThatThrownBy(() -> Jdbc.await(cancelled, 1, Jdbc.OnGiveUp.CANCEL, StoreFailed::new))
        .isInstanceOf(StoreFailed.class)
        .hasMessage("the database did not answer within 1 s")
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(cancelled).isCancelled();

    CompletableFuture<Integer> batch = new CompletableFuture<>();
    assertThatThrownBy(() -> Jdbc.await(batch, 1, Jdbc.OnGiveUp.LET_FINISH, StoreFailed::new))
        .isInstanceOf(StoreFailed.class);
    assertThat(batch).isNotDone();
  }

  @Test
  void anInterruptedPlainThreadGetsTheStoresExceptionAndKeepsItsInterrupt() {
    CompletableFuture<Integer> never = new CompletableFuture<>();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Jdbc.await(never, 10, Jdbc.OnGiveUp.CANCEL, StoreFailed::new))
          .isInstanceOf(StoreFailed.class)
          .hasMessage("interrupted while waiting for the database")
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(never).isCancelled();
  }

  @Test
  void aProcessKilledWhileItWaitsUnwindsAsKilledNotAsAStoreFailure() throws Exception {
    CompletableFuture<Integer> never = new CompletableFuture<>();
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    Pid p = node.call(() -> Proc.spawn(() -> {
      waiting.countDown();
      try {
        Jdbc.await(never, 30, Jdbc.OnGiveUp.LET_FINISH, StoreFailed::new);
      } catch (Throwable t) {
        thrown.complete(t);
        throw t;
      }
    }));
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    node.run(() -> Proc.exit(p, ExitReason.KILL));

    assertThat(thrown.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ProcessTerminated.class)
        .hasMessageContaining("was killed while it waited for the database");
    assertThat(node.call(() -> Proc.awaitExit(p, Duration.ofSeconds(10)))).contains(ExitReason.KILLED);
    assertThat(never).as("left to finish").isNotDone();
  }
}
