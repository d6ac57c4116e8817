package org.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.NodeDown;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.UnencodableMessageException;

@DisplayName("TermCodec: allow-listed types round-trip, everything else is refused, bad frames fail cleanly")
class TermCodecTest {
  /** A message record of the application. */
  public record Order(String id, int quantity, List<String> items, Status status, Map<String, Long> prices) {
    public Order {
      if (quantity < 0) {
        throw new IllegalArgumentException("a quantity cannot be negative: " + quantity);
      }
    }
  }

  /** An enum of the application. */
  public enum Status { NEW, PAID }

  /** A record that no codec here allows. */
  public record Secret(String value) {}

  private final TestNodes.Detached a = TestNodes.Detached.start("a@codec");
  private final TestNodes.Detached b = TestNodes.Detached.start("b@codec");
  private final Inbox inbox = a.node().openInbox();

  // region: allow
  TermCodec codec = TermCodec.builder().allow(Order.class, Status.class).build();
  // endregion: allow

  @AfterEach
  void stop() {
    inbox.close();
    a.close();
    b.close();
  }

  /** {@code message} sent from a to b and decoded there. */
  private Object viaB(Object message) {
    byte[] frame = codec.encode(new Signal.Send(inbox.pid(), message), a.dispatcher());
    return ((Signal.Send) codec.decode(frame, 0, frame.length, b.dispatcher())).message();
  }

  @Test
  @DisplayName("strings, numbers, booleans, byte arrays, collections, maps, records and enums round-trip")
  void roundTrip() {
    Map<String, Long> prices = new LinkedHashMap<>();
    prices.put("apple", 3L);
    prices.put("pear", null);
    List<Object> values = List.of("héllo ✓", 42, -7L, 2.5, 1.5f, (short) 3, (byte) -1, 'x', true, false,
        new BigInteger("123456789012345678901234567890"), new BigDecimal("-12.3400"),
        List.of(1, List.of("nested")), Set.of("s"), prices,
        new Order("o-1", 2, List.of("apple"), Status.PAID, Map.of("apple", 3L)), Status.NEW,
        new NodeDown("x@host", "connection_closed"), Name.remote("echo", "b@codec"), Name.local("echo"));
    for (Object v : values) {
      assertThat(viaB(v)).as("%s", v).isEqualTo(v);
    }
    assertThat((byte[]) viaB(new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
  }

  @Test
  @DisplayName("pids are remote on the other node, and local again when they come back; refs compare equal")
  void pidsAndRefs() {
    Pid self = inbox.pid();
    Pid atB = (Pid) viaB(self);
    assertThat(atB.isRemote()).isTrue();
    assertThat(atB.nodeName()).isEqualTo("a@codec");
    assertThat(atB.creation()).isEqualTo(a.node().creation());
    assertThat(atB.serial()).isEqualTo(self.serial());
    byte[] back = codec.encode(new Signal.Send(atB, atB), b.dispatcher());
    Signal.Send home = (Signal.Send) codec.decode(back, 0, back.length, a.dispatcher());
    assertThat(home.to()).isSameAs(self);
    assertThat(home.message()).isSameAs(self);

    Ref ref = Ref.make();
    Ref refAtB = (Ref) viaB(ref);
    assertThat(refAtB).isNotEqualTo(ref); // made on a, it is a's reference on b
    byte[] refBack = codec.encode(new Signal.Send(atB, refAtB), b.dispatcher());
    assertThat(((Signal.Send) codec.decode(refBack, 0, refBack.length, a.dispatcher())).message()).isEqualTo(ref);
  }

  @Test
  @DisplayName("every signal kind round-trips; a crash reason arrives as a RemoteCrash")
  void signals() {
    Pid p = inbox.pid();
    Ref r = Ref.make();
    ExitReason crash = ExitReason.crash(new IllegalStateException("boom"));
    List<Signal> signals = List.of(new Signal.Link(p, p), new Signal.Unlink(p, p),
        new Signal.LinkExit(p, p, ExitReason.NOCONNECTION), new Signal.Exit(p, p, ExitReason.shutdown("bye")),
        new Signal.Monitor(p, p, r), new Signal.Demonitor(p, p, r),
        new Signal.MonitorDown(p, p, r, ExitReason.of(List.of("custom", 1))),
        new Signal.NamedSend(p, "echo", new ExitMessage(p, ExitReason.SHUTDOWN)),
        new Signal.Send(p, new Down(r, Name.local("x"), ExitReason.KILLED)));
    for (Signal s : signals) {
      byte[] frame = codec.encode(s, a.dispatcher());
      assertThat(codec.decode(frame, 0, frame.length, a.dispatcher())).isEqualTo(s);
    }
    byte[] frame = codec.encode(new Signal.Exit(p, p, crash), a.dispatcher());
    Signal.Exit exit = (Signal.Exit) codec.decode(frame, 0, frame.length, b.dispatcher());
    ExitReason.Crash got = (ExitReason.Crash) exit.reason();
    assertThat(got.error()).isInstanceOf(RemoteCrash.class)
        .hasToString("java.lang.IllegalStateException: boom");
    assertThat(((RemoteCrash) got.error()).remoteClass()).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  @DisplayName("a value the codec may not encode fails at the sender, naming its type")
  void unencodable() {
    assertThatThrownBy(() -> viaB(new Secret("x")))
        .isInstanceOf(UnencodableMessageException.class)
        .hasMessageContaining(Secret.class.getName())
        .hasMessageContaining("allow(Secret.class)")
        .satisfies(e -> assertThat(((UnencodableMessageException) e).type()).isEqualTo(Secret.class));
    assertThatThrownBy(() -> viaB(List.of(new StringBuilder("not a value"))))
        .isInstanceOf(UnencodableMessageException.class)
        .hasMessageContaining("java.lang.StringBuilder");
    assertThatThrownBy(() -> viaB(new Thread()))
        .isInstanceOf(UnencodableMessageException.class).hasMessageContaining("java.lang.Thread");
  }

  @Test
  @DisplayName("a frame naming a type that is not allowed, or refused by the record, is malformed")
  void notAllowedOnDecode() {
    byte[] frame = TermCodec.builder().allow(Secret.class).build()
        .encode(new Signal.Send(inbox.pid(), new Secret("x")), a.dispatcher());
    assertThatThrownBy(() -> codec.decode(frame, 0, frame.length, b.dispatcher()))
        .isInstanceOf(MalformedFrameException.class).hasMessageContaining(Secret.class.getName())
        .hasMessageContaining("not allowed");
    // the canonical constructor validates on the receiving side too
    byte[] good = codec.encode(new Signal.Send(inbox.pid(), new Order("o", 1, List.of(), Status.NEW, Map.of())),
        a.dispatcher());
    byte[] bad = good.clone();
    int at = indexOf(bad, new byte[] {0, 0, 0, 1}); // the quantity, after the INT tag
    bad[at] = (byte) 0xff;
    assertThatThrownBy(() -> codec.decode(bad, 0, bad.length, b.dispatcher()))
        .isInstanceOf(MalformedFrameException.class).hasMessageContaining("quantity cannot be negative");
  }

  @Test
  @DisplayName("only records and enums can be allowed")
  void allowChecks() {
    assertThatThrownBy(() -> TermCodec.builder().allow(StringBuilder.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither a record nor an enum");
    assertThatThrownBy(() -> TermCodec.builder().allowPackage(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
  }

  @Test
  @DisplayName("fuzz: mutated, truncated and random frames decode or fail with MalformedFrameException, nothing else")
  void fuzz() {
    Random random = new Random(20261207L);
    List<byte[]> seeds = new ArrayList<>();
    Pid p = inbox.pid();
    seeds.add(codec.encode(new Signal.Send(p, new Order("o", 1, List.of("a", "b"), Status.NEW, Map.of("k", 1L))),
        a.dispatcher()));
    seeds.add(codec.encode(new Signal.MonitorDown(p, p, Ref.make(), ExitReason.crash(new RuntimeException("x"))),
        a.dispatcher()));
    seeds.add(codec.encode(new Signal.Send(p, List.of(Map.of("m", Set.of(1, 2)), new byte[7], 3.0, p)),
        a.dispatcher()));
    int decoded = 0;
    int malformed = 0;
    for (int i = 0; i < 30_000; i++) {
      byte[] frame = mutate(seeds.get(random.nextInt(seeds.size())), random);
      try {
        codec.decode(frame, 0, frame.length, b.dispatcher());
        decoded++;
      } catch (MalformedFrameException e) {
        malformed++;
      } catch (Throwable t) {
        fail("frame " + java.util.HexFormat.of().formatHex(frame) + " threw " + t, t);
      }
    }
    assertThat(malformed).isGreaterThan(1000);
    assertThat(decoded + malformed).isEqualTo(30_000);
  }

  private static byte[] mutate(byte[] seed, Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> {
        byte[] f = seed.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
          f[random.nextInt(f.length)] = (byte) random.nextInt(256);
        }
        yield f;
      }
      case 1 -> java.util.Arrays.copyOf(seed, random.nextInt(seed.length));
      case 2 -> {
        byte[] f = seed.clone();
        int at = random.nextInt(Math.max(1, f.length - 4));
        int v = random.nextBoolean() ? Integer.MAX_VALUE : -random.nextInt(1000);
        f[at] = (byte) (v >>> 24);
        f[at + 1] = (byte) (v >>> 16);
        f[at + 2] = (byte) (v >>> 8);
        f[at + 3] = (byte) v;
        yield f;
      }
      default -> {
        byte[] f = new byte[random.nextInt(64)];
        random.nextBytes(f);
        if (f.length > 1) {
          f[0] = 1; // the right version, so that the decoder goes further
        }
        yield f;
      }
    };
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    for (int i = hay.length - needle.length; i >= 0; i--) {
      if (java.util.Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }
}
