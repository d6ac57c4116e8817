package org.otp4j.examples.iot;

import java.util.ArrayDeque;
import java.util.List;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.ServerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscriber of {@link Iot#ALERTS}: logs every alert and keeps the latest 200, newest first, for
 * the dashboard's feed.
 */
final class AlertLog extends GenServer<ArrayDeque<Alert>, AlertLog.Request> {
  static final Logger LOG = LoggerFactory.getLogger(AlertLog.class);
  static final ServerRef<Request> NAME = ServerRef.local("iot_alert_log");
  static final int KEEP = 200;

  /** The log's protocol. */
  sealed interface Request {
    /** The latest alerts, newest first. */
    record Latest(int limit) implements Request, Call<List<Alert>> {}
  }

  private final Iot iot;

  private AlertLog(Iot iot) {
    this.iot = iot;
  }

  static ServerRef<Request> startLink(Iot iot) {
    return GenServer.startLink(NAME, new AlertLog(iot));
  }

  /** The latest {@code limit} alerts, newest first. */
  static List<Alert> latest(int limit) {
    return GenServer.call(NAME, new Request.Latest(limit));
  }

  @Override
  protected Init<ArrayDeque<Alert>> init() {
    iot.pubsub().subscribe(Iot.ALERTS);
    return Init.ok(new ArrayDeque<>());
  }

  @Override
  protected CallResult<ArrayDeque<Alert>> handleCall(Request request, From from, ArrayDeque<Alert> alerts) {
    return switch (request) {
      case Request.Latest l -> reply(l, alerts.stream().limit(Math.max(0, l.limit())).toList(), alerts);
    };
  }

  @Override
  protected CastResult<ArrayDeque<Alert>> handleInfo(Object message, ArrayDeque<Alert> alerts) {
    if (message instanceof Alert a) {
      LOG.info("alert {} {}: {}", a.kind(), a.device(), a.message());
      alerts.addFirst(a);
      if (alerts.size() > KEEP) {
        alerts.removeLast();
      }
    }
    return noReply(alerts);
  }
}
