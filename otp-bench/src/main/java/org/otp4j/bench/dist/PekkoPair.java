package org.otp4j.bench.dist;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.otp4j.bench.workloads.PekkoKit;

/**
 * Pekko's contender: two actor systems with Artery over TCP on loopback, typed actors, the
 * request-response pattern with the sender's own {@code ActorRef} in each request (Pekko's documented
 * way between actors), a hand-written serializer for the one message type (what Pekko's
 * serialization guide recommends for hot paths: no reflection, no Java serialization), the
 * dispatchers sized for the machine as in the other Pekko rows ({@link PekkoKit}).
 *
 * <p>Artery drops messages once its outbound queue is full instead of blocking the sender, so a
 * Pekko sender that floods is written with flow control, as a Pekko user writes one: the receiver
 * acknowledges every so many messages and the sender keeps a bounded window in flight (4 MiB or
 * 10,000 messages, whichever is fewer; the outbound queue is raised to hold eight such windows). Node
 * death is seen by remote death watch, whose failure detector is given a 3 s heartbeat pause (its
 * default is 10 s), the failure timeout of otp4j's and JGroups' rows.
 *
 * <p>Arguments: {@code responder|driver}, own port, the other's port.
 */
public final class PekkoPair {
  private PekkoPair() {}

  static final byte REQ = 1;
  static final byte REP = 2;
  static final byte MSG = 3;
  static final byte END = 4;
  static final byte ACK = 5;
  static final byte COUNT = 6;
  private static final byte[] EMPTY = new byte[0];

  /**
   * The one message type.
   *
   * @param kind what it is
   * @param n a number whose meaning depends on the kind (a count, or the acknowledgement interval)
   * @param replyTo where answers go (null when none is expected)
   * @param body the payload
   */
  public record Msg(byte kind, long n, ActorRef<Msg> replyTo, byte[] body) {}

  /** The serializer of {@link Msg}: kind, number, reply-to in Pekko's serialization format, payload. */
  public static final class Codec extends SerializerWithStringManifest {
    private final ActorRefResolver resolver;

    /**
     * Made by Pekko's serialization extension.
     *
     * @param system the actor system
     */
    public Codec(ExtendedActorSystem system) {
      this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }

    @Override
    public int identifier() {
      return 4_171_001;
    }

    @Override
    public String manifest(Object o) {
      return "M";
    }

    @Override
    public byte[] toBinary(Object o) {
      Msg m = (Msg) o;
      byte[] ref = m.replyTo() == null ? EMPTY : resolver.toSerializationFormat(m.replyTo()).getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(1 + 8 + 4 + ref.length + m.body().length)
          .put(m.kind()).putLong(m.n()).putInt(ref.length).put(ref).put(m.body()).array();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      byte kind = in.get();
      long n = in.getLong();
      byte[] ref = new byte[in.getInt()];
      in.get(ref);
      byte[] body = new byte[in.remaining()];
      in.get(body);
      ActorRef<Msg> replyTo = ref.length == 0 ? null : resolver.resolveActorRef(new String(ref, StandardCharsets.UTF_8));
      return new Msg(kind, n, replyTo, body);
    }
  }

  static Config config(int port) {
    return ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = %d
        pekko.remote.artery.advanced.outbound-message-queue-size = 100000
        pekko.remote.use-unsafe-remote-features-outside-cluster = on
        pekko.remote.watch-failure-detector.acceptable-heartbeat-pause = 3s
        pekko.remote.warn-about-direct-use = off
        pekko.actor.allow-java-serialization = off
        pekko.actor.serializers.distbench = "org.otp4j.bench.dist.PekkoPair$Codec"
        pekko.actor.serialization-bindings { "org.otp4j.bench.dist.PekkoPair$Msg" = distbench }
        """.formatted(port)).withFallback(PekkoKit.config());
  }

  /**
   * Runs one side.
   *
   * @param args {@code responder|driver}, own port, the other's port
   */
  public static void main(String[] args) throws Exception {
    int own = Integer.parseInt(args[1]);
    int other = Integer.parseInt(args[2]);
    if (args[0].equals("responder")) {
      ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
        ctx.spawn(echo(), "echo");
        for (int i = 0; i < DistWork.SINKS; i++) {
          ctx.spawn(sink(0), "sink" + i);
        }
        return Behaviors.empty();
      }), "resp", config(own));
      DistWork.readyUntilStdinCloses(system.address().toString());
      system.terminate();
      System.exit(0);
    }
    ActorSystem<Object> system = ActorSystem.create(guardian(), "drv", config(own));
    DistWork.drive(new PekkoDriver(system, "pekko://resp@127.0.0.1:" + other + "/user/"));
    System.exit(0);
  }

  private static Behavior<Msg> echo() {
    return Behaviors.receiveMessage(m -> {
      if (m.kind() == REQ) {
        m.replyTo().tell(new Msg(REP, 0, null, EMPTY));
      }
      return Behaviors.same();
    });
  }

  private static Behavior<Msg> sink(long initial) {
    long[] count = {initial};
    return Behaviors.receiveMessage(m -> {
      if (m.kind() == MSG) {
        count[0]++;
        if (count[0] % m.n() == 0) {
          m.replyTo().tell(new Msg(ACK, count[0], null, EMPTY));
        }
      } else if (m.kind() == END) {
        m.replyTo().tell(new Msg(COUNT, count[0], null, EMPTY));
        count[0] = 0;
      }
      return Behaviors.same();
    });
  }

  private record Spawn(Behavior<Msg> behavior) {}

  private static Behavior<Object> guardian() {
    return Behaviors.setup(ctx -> Behaviors.receiveMessage(m -> {
      if (m instanceof Spawn(Behavior<Msg> b)) {
        ctx.spawnAnonymous(b);
      }
      return Behaviors.same();
    }));
  }

  private static final class PekkoDriver implements DistWork.Driver {
    private final ActorSystem<Object> system;
    private final ActorRef<Msg> echo;
    private final ActorRef<Msg>[] sinks;
    private final CompletableFuture<Long> down = new CompletableFuture<>();

    @SuppressWarnings("unchecked")
    PekkoDriver(ActorSystem<Object> system, String base) throws InterruptedException {
      this.system = system;
      ActorRefResolver resolver = ActorRefResolver.get(system);
      this.echo = resolver.resolveActorRef(base + "echo");
      this.sinks = new ActorRef[DistWork.SINKS];
      for (int i = 0; i < sinks.length; i++) {
        sinks[i] = resolver.resolveActorRef(base + "sink" + i);
      }
      // the first exchange opens the association (Artery connects on first use)
      roundTrips(1, 1);
    }

    @Override
    public double roundTrips(int clients, int each) throws InterruptedException {
      CountDownLatch done = new CountDownLatch(clients);
      long t0 = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        system.tell(new Spawn(Behaviors.setup(ctx -> {
          Msg req = new Msg(REQ, 0, ctx.getSelf(), EMPTY);
          int[] left = {each};
          echo.tell(req);
          return Behaviors.receiveMessage(m -> {
            if (--left[0] == 0) {
              done.countDown();
              return Behaviors.stopped();
            }
            echo.tell(req);
            return Behaviors.same();
          });
        })));
      }
      if (!done.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException("round trips did not finish within 300 s");
      }
      return DistWork.rate((long) clients * each, t0);
    }

    @Override
    public double oneWay(int senders, int each, int bytes) throws InterruptedException {
      int window = (int) Math.min(10_000, Math.max(16, (4L << 20) / Math.max(bytes, 64)));
      int ackEvery = Math.max(1, window / 4);
      byte[] body = new byte[bytes];
      CountDownLatch done = new CountDownLatch(senders);
      long t0 = System.nanoTime();
      for (int s = 0; s < senders; s++) {
        ActorRef<Msg> sink = sinks[s];
        system.tell(new Spawn(Behaviors.setup(ctx -> {
          Msg m = new Msg(MSG, ackEvery, ctx.getSelf(), body);
          long[] sent = {0};
          long[] acked = {0};
          while (sent[0] < Math.min(each, window)) {
            sink.tell(m);
            sent[0]++;
          }
          if (sent[0] == each) {
            sink.tell(new Msg(END, 0, ctx.getSelf(), EMPTY));
          }
          return Behaviors.receiveMessage(r -> {
            if (r.kind() == ACK) {
              acked[0] = r.n();
              boolean wasDone = sent[0] == each;
              while (sent[0] < each && sent[0] - acked[0] < window) {
                sink.tell(m);
                sent[0]++;
              }
              if (!wasDone && sent[0] == each) {
                sink.tell(new Msg(END, 0, ctx.getSelf(), EMPTY));
              }
              return Behaviors.same();
            }
            if (r.kind() == COUNT) {
              DistWork.checkCount(r.n(), each);
              done.countDown();
              return Behaviors.stopped();
            }
            return Behaviors.same();
          });
        })));
      }
      if (!done.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException("one-way messages did not all arrive within 300 s");
      }
      return DistWork.rate((long) senders * each, t0);
    }

    @Override
    public void watch() throws InterruptedException {
      CountDownLatch watching = new CountDownLatch(1);
      system.tell(new Spawn(Behaviors.setup(ctx -> {
        ctx.watch(echo);
        watching.countDown();
        return Behaviors.receive(Msg.class)
            .onSignal(Terminated.class, t -> {
              down.complete(DistWork.nowMicros());
              return Behaviors.stopped();
            })
            .build();
      })));
      watching.await();
    }

    @Override
    public long awaitDown() throws Exception {
      return down.get();
    }
  }
}
