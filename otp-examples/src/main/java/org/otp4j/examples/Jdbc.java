package org.otp4j.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessTerminated;

/**
 * The few JDBC helpers the examples' stores share: a statement with positional arguments, one row,
 * a list of rows, and the wait for database work run on the stores' own platform threads. The same
 * SQL runs on SQLite and PostgreSQL.
 */
public final class Jdbc {
  private Jdbc() {}

  /**
   * Reads one row of a result.
   *
   * @param <T> what a row becomes
   */
  @FunctionalInterface
  public interface Row<T> {
    /**
     * Reads the current row.
     *
     * @param rs the result, on the row
     * @return the row's value
     * @throws SQLException if a column cannot be read
     */
    T read(ResultSet rs) throws SQLException;
  }

  /**
   * Turns a failed wait into the store's own exception.
   */
  @FunctionalInterface
  public interface Failure {
    /**
     * The exception a caller gets when its database work failed, took too long or the wait was
     * interrupted.
     *
     * @param message what went wrong, for a person
     * @param cause what the work threw, or the {@link TimeoutException} or {@link InterruptedException}
     * @return the exception to throw
     */
    RuntimeException of(String message, Throwable cause);
  }

  /** What becomes of the work when its caller stops waiting for it (timed out or interrupted). */
  public enum OnGiveUp {
    /** Interrupt the work: nobody else waits for its result. */
    CANCEL,
    /** Let it finish: its result matters to more than the caller that gave up (a batch). */
    LET_FINISH
  }

  /**
   * Waits for database work submitted to a store's platform threads. Processes wait here rather
   * than run JDBC on their own carrier threads. A process killed while it waits unwinds with
   * {@link ProcessTerminated}, as every runtime call of a killed process does, so that nothing
   * reports a store failure for it; every other failure is {@code failure}'s exception.
   *
   * @param <T> the work's result
   * @param work the submitted work
   * @param timeoutSeconds how long to wait for it
   * @param onGiveUp whether to cancel the work on a timeout or an interrupt
   * @param failure makes the exception for a failed, late or interrupted wait
   * @return the work's result
   * @throws ProcessTerminated if the calling process was killed while it waited
   */
  public static <T> T await(Future<T> work, long timeoutSeconds, OnGiveUp onGiveUp, Failure failure) {
    try {
      return work.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw failure.of("database error: " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      giveUp(work, onGiveUp);
      throw failure.of("the database did not answer within " + timeoutSeconds + " s", e);
    } catch (InterruptedException e) {
      giveUp(work, onGiveUp);
      Thread.currentThread().interrupt();
      if (Proc.isProcess() && !Proc.isAlive(Proc.self())) {
        // Killed while it waited (an admin killed a room, say): not a store failure, whatever
        // became of the statement.
        throw new ProcessTerminated("process " + Proc.self() + " was killed while it waited for the database");
      }
      throw failure.of("interrupted while waiting for the database", e);
    }
  }

  private static void giveUp(Future<?> work, OnGiveUp onGiveUp) {
    if (onGiveUp == OnGiveUp.CANCEL) {
      work.cancel(true);
    }
  }

  /**
   * Runs an update with {@code args} for its {@code ?}s.
   *
   * @param c the connection
   * @param sql the statement
   * @param args its arguments, in order
   * @return how many rows it changed
   * @throws SQLException if it fails
   */
  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement st = prepare(c, sql, args)) {
      return st.executeUpdate();
    }
  }

  /**
   * The first row of a query, read by {@code row}; empty if there is none or its value is SQL NULL.
   *
   * @param <T> what the row becomes
   * @param c the connection
   * @param sql the query
   * @param row reads the row
   * @param args its arguments, in order
   * @return the row's value, if any
   * @throws SQLException if it fails
   */
  public static <T> Optional<T> queryOne(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement st = prepare(c, sql, args); ResultSet rs = st.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      T value = row.read(rs);
      return rs.wasNull() ? Optional.empty() : Optional.ofNullable(value);
    }
  }

  /**
   * Every row of a query, read by {@code row}, in order.
   *
   * @param <T> what a row becomes
   * @param c the connection
   * @param sql the query
   * @param row reads a row
   * @param args its arguments, in order
   * @return the rows' values
   * @throws SQLException if it fails
   */
  public static <T> List<T> queryList(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement st = prepare(c, sql, args); ResultSet rs = st.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(row.read(rs));
      }
      return out;
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement st = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      st.setObject(i + 1, args[i]);
    }
    return st;
  }
}
