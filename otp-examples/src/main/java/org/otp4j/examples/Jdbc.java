package org.otp4j.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The few JDBC helpers the examples' stores share: a statement with positional arguments, one row,
 * a list of rows. The same SQL runs on SQLite and PostgreSQL.
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
