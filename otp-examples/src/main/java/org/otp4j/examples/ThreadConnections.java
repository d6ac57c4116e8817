package org.otp4j.examples;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One JDBC connection per database thread: opened on a thread's first use (and again if it was
 * closed), set up with the given statements (SQLite's pragmas), and all closed together. The
 * examples' stores run their statements on a few platform threads, each with a connection of its own.
 */
public final class ThreadConnections implements AutoCloseable {
  private final String url;
  private final String user;
  private final String password;
  private final List<String> setup;
  private final List<Connection> opened = Collections.synchronizedList(new ArrayList<>());
  private final ThreadLocal<Connection> current = new ThreadLocal<>();

  /**
   * Connections to {@code url}.
   *
   * @param url the JDBC URL
   * @param user the database user; empty if the URL needs none
   * @param password the user's password
   * @param setup statements run on each new connection, in order
   */
  public ThreadConnections(String url, String user, String password, List<String> setup) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.setup = List.copyOf(setup);
  }

  /**
   * The calling thread's connection.
   *
   * @return an open connection, set up
   * @throws SQLException if it cannot be opened or set up
   */
  public Connection get() throws SQLException {
    Connection c = current.get();
    if (c == null || c.isClosed()) {
      c = user.isEmpty() ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
      try (Statement st = c.createStatement()) {
        for (String sql : setup) {
          st.execute(sql);
        }
      }
      current.set(c);
      opened.add(c);
    }
    return c;
  }

  /** Closes every connection opened (call once the threads that use them have stopped). */
  @Override
  public void close() {
    synchronized (opened) {
      for (Connection c : opened) {
        try {
          c.close();
        } catch (SQLException e) {
          // closing: nothing more to do
        }
      }
      opened.clear();
    }
  }
}
