package org.otp4j.dist;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.GenCall;
import org.otp4j.core.GenCast;
import org.otp4j.core.Name;
import org.otp4j.core.NodeDown;
import org.otp4j.core.NodeUp;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;
import org.otp4j.core.dist.Dispatcher;
import org.otp4j.core.dist.Signal;
import org.otp4j.core.dist.UnencodableMessageException;

/**
 * The default {@link Codec}: a compact tagged binary format for the values processes exchange, which
 * decodes only what it is allowed to. Never Java serialization: a frame can only make strings,
 * numbers, booleans, byte arrays, lists, sets, maps, pids, references, exit reasons, the reply
 * channel of a call ({@link From}), and the records
 * and enums that were allowed on this node (by class, or by package) — so a frame cannot make an
 * arbitrary class, and no gadget chain can start.
 *
 * <!-- snippet: org.otp4j.dist.TermCodecTest#allow -->
 * {@snippet :
 * TermCodec codec = TermCodec.builder().allow(Order.class, Status.class).build();
 * }
 *
 * <p>Every node of a cluster must allow the same types. A message holding a value the codec cannot
 * encode (a record or enum that is not allowed, or any other class) fails at the sender with an
 * {@link UnencodableMessageException} naming the type; a frame that cannot be decoded fails with a
 * {@link MalformedFrameException}, which the receiving node counts and logs.
 *
 * <p>Records decode through their canonical constructor, so their validation runs on the receiving
 * side too; a record must be public, in a package its module exports to {@code org.otp4j.dist}
 * (checked when it is allowed).
 * The messages the runtime itself delivers ({@link ExitMessage}, {@link Down}, {@link NodeUp},
 * {@link NodeDown}), the envelopes of a behaviour's call and cast ({@link GenCall}, {@link GenCast})
 * and local and remote {@link Name}s are allowed by default: a {@code GenServer.call} to a server of
 * another node needs only its request and reply records allowed. A crash reason
 * travels as the error's class name and message and arrives as a {@link RemoteCrash}.
 */
public final class TermCodec implements Codec {
  private static final int VERSION = 1;
  private static final int MAX_DEPTH = 64;

  // value tags
  private static final int NULL = 0;
  private static final int TRUE = 1;
  private static final int FALSE = 2;
  private static final int INT = 3;
  private static final int LONG = 4;
  private static final int DOUBLE = 5;
  private static final int FLOAT = 6;
  private static final int SHORT = 7;
  private static final int BYTE = 8;
  private static final int CHAR = 9;
  private static final int STRING = 10;
  private static final int BYTES = 11;
  private static final int LIST = 12;
  private static final int SET = 13;
  private static final int MAP = 14;
  private static final int PID = 15;
  private static final int REF = 16;
  private static final int ENUM = 17;
  private static final int RECORD = 18;
  private static final int BIGINT = 19;
  private static final int BIGDEC = 20;
  private static final int EXIT = 21;
  private static final int FROM = 22;

  // signal kinds
  private static final int SEND = 1;
  private static final int NAMED_SEND = 2;
  private static final int LINK = 3;
  private static final int UNLINK = 4;
  private static final int LINK_EXIT = 5;
  private static final int EXIT_SIGNAL = 6;
  private static final int MONITOR = 7;
  private static final int DEMONITOR = 8;
  private static final int MONITOR_DOWN = 9;
  private static final int REPLY = 10;
  private static final int MONITOR_NAME = 11;
  private static final int DEMONITOR_NAME = 12;

  private static final List<Class<?>> BUILT_IN = List.of(ExitMessage.class, Down.class, NodeUp.class,
      NodeDown.class, Name.Local.class, Name.Remote.class, GenCall.class, GenCast.class);

  private final Map<String, Class<?>> allowed;
  private final Set<String> allowedPackages;
  private final ClassLoader loader;
  private final Map<Class<?>, RecordShape> shapes = new ConcurrentHashMap<>();

  private TermCodec(Map<String, Class<?>> allowed, Set<String> allowedPackages, ClassLoader loader) {
    this.allowed = Map.copyOf(allowed);
    this.allowedPackages = Set.copyOf(allowedPackages);
    this.loader = loader;
  }

  /** A codec that allows only the built-in types (no record or enum of the application). */
  public static TermCodec defaults() {
    return builder().build();
  }

  /** A builder, to allow the application's message records and enums. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects the record and enum types a {@link TermCodec} may encode and decode. */
  public static final class Builder {
    private final Map<String, Class<?>> allowed = new HashMap<>();
    private final Set<String> packages = new HashSet<>();
    private ClassLoader loader = TermCodec.class.getClassLoader();

    private Builder() {
      for (Class<?> c : BUILT_IN) {
        allowed.put(c.getName(), c);
      }
      for (Class<?> c : java.util.stream.Stream.of(Rpc.WIRE, Pg.WIRE, Global.WIRE).flatMap(List::stream).toList()) {
        allowed.put(c.getName(), c);
      }
    }

    /**
     * Allows these records and enums.
     *
     * @throws IllegalArgumentException if one is neither a record nor an enum, or is not public in a
     *     package its module exports to {@code org.otp4j.dist}
     */
    public Builder allow(Class<?>... types) {
      for (Class<?> type : types) {
        Objects.requireNonNull(type, "type");
        checkAllowable(type);
        allowed.put(type.getName(), type);
      }
      return this;
    }

    /**
     * Allows every record and enum of the package {@code packageName} (not its subpackages), found by
     * name with the codec's class loader when a frame names one.
     */
    public Builder allowPackage(String packageName) {
      Objects.requireNonNull(packageName, "packageName");
      if (packageName.isBlank()) {
        throw new IllegalArgumentException("a package name cannot be blank: give one such as \"com.acme.billing\"");
      }
      packages.add(packageName);
      return this;
    }

    /** The class loader that finds the classes of {@link #allowPackage allowed packages}. */
    public Builder classLoader(ClassLoader classLoader) {
      this.loader = Objects.requireNonNull(classLoader, "classLoader");
      return this;
    }

    /** The codec. */
    public TermCodec build() {
      return new TermCodec(allowed, packages, loader);
    }
  }

  private static void checkAllowable(Class<?> type) {
    if (!type.isRecord() && !type.isEnum()) {
      throw new IllegalArgumentException(type.getName() + " is neither a record nor an enum: the codec allows "
          + "only records and enums (make the message a record)");
    }
    if (type.isRecord() && !shapeOf(type).constructor.canAccess(null)) {
      throw new IllegalArgumentException(type.getName() + " cannot be made by org.otp4j.dist: make it public "
          + "(and its enclosing classes), in a package its module exports to org.otp4j.dist");
    }
  }

  /** The class a frame names, if this codec may make it; else null. */
  private Class<?> allowedClass(String name) {
    Class<?> c = allowed.get(name);
    if (c != null) {
      return c;
    }
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || !allowedPackages.contains(name.substring(0, dot))) {
      return null; // NOTE: no class is loaded for a name that is not allowed
    }
    try {
      Class<?> found = Class.forName(name, false, loader);
      return (found.isRecord() || found.isEnum()) && found.getPackageName().equals(name.substring(0, dot))
          ? found : null;
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private boolean mayEncode(Class<?> type) {
    return allowed.get(type.getName()) == type || allowedPackages.contains(type.getPackageName());
  }

  // =====================================================================================
  // encoding

  @Override
  public byte[] encode(Signal signal, Dispatcher dispatcher) {
    Writer w = new Writer(dispatcher);
    w.byte1(VERSION);
    switch (signal) {
      case Signal.Send(Pid to, Object message) -> {
        w.byte1(SEND);
        w.pid(to);
        w.value(message, 0);
      }
      case Signal.NamedSend(Pid from, String name, Object message) -> {
        w.byte1(NAMED_SEND);
        w.pid(from);
        w.string(name);
        w.value(message, 0);
      }
      case Signal.Link(Pid from, Pid to) -> w.kind(LINK, from, to);
      case Signal.Unlink(Pid from, Pid to) -> w.kind(UNLINK, from, to);
      case Signal.LinkExit(Pid from, Pid to, ExitReason reason) -> {
        w.kind(LINK_EXIT, from, to);
        w.exitReason(reason, 0);
      }
      case Signal.Exit(Pid from, Pid to, ExitReason reason) -> {
        w.kind(EXIT_SIGNAL, from, to);
        w.exitReason(reason, 0);
      }
      case Signal.Monitor(Pid from, Pid to, Ref ref) -> {
        w.kind(MONITOR, from, to);
        w.ref(ref);
      }
      case Signal.Demonitor(Pid from, Pid to, Ref ref) -> {
        w.kind(DEMONITOR, from, to);
        w.ref(ref);
      }
      case Signal.MonitorDown(Pid from, Pid to, Ref ref, ExitReason reason) -> {
        w.kind(MONITOR_DOWN, from, to);
        w.ref(ref);
        w.exitReason(reason, 0);
      }
      case Signal.MonitorName(Pid from, String name, Ref ref) -> {
        w.byte1(MONITOR_NAME);
        w.pid(from);
        w.string(name);
        w.ref(ref);
      }
      case Signal.DemonitorName(Pid from, String name, Ref ref) -> {
        w.byte1(DEMONITOR_NAME);
        w.pid(from);
        w.string(name);
        w.ref(ref);
      }
      case Signal.Reply(long id, Object value) -> {
        w.byte1(REPLY);
        w.long8(id);
        w.value(value, 0);
      }
    }
    return w.bytes();
  }

  private final class Writer {
    // not a ByteArrayOutputStream: its every write takes a lock, and its toByteArray copies the
    // whole frame once more; a frame that fills the buffer exactly (a large byte array last) is
    // handed out as it is
    private byte[] buf = new byte[256];
    private int count;
    private final Dispatcher dispatcher;

    Writer(Dispatcher dispatcher) {
      this.dispatcher = dispatcher;
    }

    byte[] bytes() {
      return count == buf.length ? buf : Arrays.copyOf(buf, count);
    }

    /** Room for {@code n} more bytes: double, or exactly what is needed when that is more. */
    private void room(int n) {
      int need = count + n;
      if (need > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(need, (int) Math.min(buf.length * 2L, Integer.MAX_VALUE - 8)));
      }
    }

    private void write(byte[] b, int off, int len) {
      room(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    void byte1(int b) {
      room(1);
      buf[count++] = (byte) b;
    }

    void int4(int v) {
      room(4);
      buf[count++] = (byte) (v >>> 24);
      buf[count++] = (byte) (v >>> 16);
      buf[count++] = (byte) (v >>> 8);
      buf[count++] = (byte) v;
    }

    void long8(long v) {
      int4((int) (v >>> 32));
      int4((int) v);
    }

    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      int4(b.length);
      write(b, 0, b.length);
    }

    void kind(int kind, Pid from, Pid to) {
      byte1(kind);
      pid(from);
      pid(to);
    }

    void pid(Pid p) {
      string(p.nodeName());
      int4(p.creation());
      long8(p.serial());
    }

    void ref(Ref r) {
      Dispatcher.RefId id = dispatcher.refId(r);
      string(id.node());
      int4(id.creation());
      long8(id.serial());
    }

    void exitReason(ExitReason reason, int depth) {
      switch (reason) {
        case ExitReason.Standard s -> {
          byte1(0);
          string(s.name());
        }
        case ExitReason.Shutdown(Object detail) -> {
          byte1(1);
          value(detail, depth + 1);
        }
        case ExitReason.Crash(Throwable error) -> {
          byte1(2);
          string(error instanceof RemoteCrash rc ? rc.remoteClass() : error.getClass().getName());
          String message = error instanceof RemoteCrash rc ? rc.remoteMessage() : error.getMessage();
          byte1(message == null ? 0 : 1);
          if (message != null) {
            string(message);
          }
        }
        case ExitReason.Custom(Object term) -> {
          byte1(3);
          value(term, depth + 1);
        }
      }
    }

    void value(Object v, int depth) {
      if (depth > MAX_DEPTH) {
        throw new UnencodableMessageException(v.getClass(), "values nest deeper than " + MAX_DEPTH + " levels");
      }
      switch (v) {
        case null -> byte1(NULL);
        case Boolean b -> byte1(b ? TRUE : FALSE);
        case Integer i -> {
          byte1(INT);
          int4(i);
        }
        case Long l -> {
          byte1(LONG);
          long8(l);
        }
        case Double d -> {
          byte1(DOUBLE);
          long8(Double.doubleToRawLongBits(d));
        }
        case Float f -> {
          byte1(FLOAT);
          int4(Float.floatToRawIntBits(f));
        }
        case Short s -> {
          byte1(SHORT);
          int4(s);
        }
        case Byte b -> {
          byte1(BYTE);
          byte1(b);
        }
        case Character c -> {
          byte1(CHAR);
          int4(c);
        }
        case String s -> {
          byte1(STRING);
          string(s);
        }
        case byte[] bytes -> {
          byte1(BYTES);
          int4(bytes.length);
          write(bytes, 0, bytes.length);
        }
        case BigInteger big -> {
          byte1(BIGINT);
          byte[] b = big.toByteArray();
          int4(b.length);
          write(b, 0, b.length);
        }
        case BigDecimal dec -> {
          byte1(BIGDEC);
          int4(dec.scale());
          byte[] b = dec.unscaledValue().toByteArray();
          int4(b.length);
          write(b, 0, b.length);
        }
        case Pid p -> {
          byte1(PID);
          pid(p);
        }
        case Ref r -> {
          byte1(REF);
          ref(r);
        }
        case ExitReason reason -> {
          byte1(EXIT);
          exitReason(reason, depth);
        }
        case From from -> {
          Dispatcher.FromId id = dispatcher.fromId(from);
          byte1(FROM);
          string(id.node());
          long8(id.id());
          byte1(id.caller() == null ? 0 : 1);
          if (id.caller() != null) {
            pid(id.caller());
          }
        }
        case List<?> list -> collection(LIST, list, depth);
        case Set<?> set -> collection(SET, set, depth);
        case Map<?, ?> map -> {
          byte1(MAP);
          int4(map.size());
          for (Map.Entry<?, ?> e : map.entrySet()) {
            value(e.getKey(), depth + 1);
            value(e.getValue(), depth + 1);
          }
        }
        case Enum<?> e -> {
          Class<?> type = e.getDeclaringClass();
          if (!mayEncode(type)) {
            throw notAllowed(type);
          }
          byte1(ENUM);
          string(type.getName());
          string(e.name());
        }
        case Record r -> {
          Class<?> type = r.getClass();
          if (!mayEncode(type)) {
            throw notAllowed(type);
          }
          RecordShape shape = shape(type);
          byte1(RECORD);
          string(type.getName());
          int4(shape.accessors.length);
          for (Method accessor : shape.accessors) {
            value(shape.get(accessor, r), depth + 1);
          }
        }
        default -> throw new UnencodableMessageException(v.getClass(), "the default codec sends records and "
            + "enums it allows (TermCodec.builder().allow(...)), strings, numbers, booleans, byte arrays, "
            + "lists, sets, maps, pids, references and exit reasons; make the message a record");
      }
    }

    private void collection(int tag, Collection<?> c, int depth) {
      byte1(tag);
      int4(c.size());
      for (Object o : c) {
        value(o, depth + 1);
      }
    }
  }

  private static UnencodableMessageException notAllowed(Class<?> type) {
    return new UnencodableMessageException(type, "it is not allowed by the codec; allow it on every node with "
        + "TermCodec.builder().allow(" + type.getSimpleName() + ".class)");
  }

  /** How to take a record apart and make it again. */
  private record RecordShape(Method[] accessors, Constructor<?> constructor) {
    Object get(Method accessor, Object record) {
      try {
        return accessor.invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new UnencodableMessageException(record.getClass(), "its component " + accessor.getName()
            + " cannot be read: " + e);
      }
    }
  }

  private RecordShape shape(Class<?> type) {
    return shapes.computeIfAbsent(type, TermCodec::shapeOf);
  }

  private static RecordShape shapeOf(Class<?> t) {
    RecordComponent[] components = t.getRecordComponents();
    Method[] accessors = new Method[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      accessors[i] = components[i].getAccessor();
      types[i] = components[i].getType();
    }
    try {
      return new RecordShape(accessors, t.getDeclaredConstructor(types));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("a record has a canonical constructor: " + t, e);
    }
  }

  // =====================================================================================
  // decoding

  @Override
  public Signal decode(byte[] frame, int offset, int length, Dispatcher dispatcher) {
    Objects.checkFromIndexSize(offset, length, frame.length);
    Reader r = new Reader(frame, offset, offset + length, dispatcher);
    int version = r.byte1();
    if (version != VERSION) {
      throw new MalformedFrameException("frame version " + version + ", expected " + VERSION);
    }
    int kind = r.byte1();
    Signal signal;
    try {
      signal = switch (kind) {
        case SEND -> new Signal.Send(r.pid(), r.nonNullValue());
        case NAMED_SEND -> new Signal.NamedSend(r.pid(), r.string(), r.nonNullValue());
        case LINK -> new Signal.Link(r.pid(), r.pid());
        case UNLINK -> new Signal.Unlink(r.pid(), r.pid());
        case LINK_EXIT -> new Signal.LinkExit(r.pid(), r.pid(), r.exitReason(0));
        case EXIT_SIGNAL -> new Signal.Exit(r.pid(), r.pid(), r.exitReason(0));
        case MONITOR -> new Signal.Monitor(r.pid(), r.pid(), r.ref());
        case DEMONITOR -> new Signal.Demonitor(r.pid(), r.pid(), r.ref());
        case MONITOR_DOWN -> new Signal.MonitorDown(r.pid(), r.pid(), r.ref(), r.exitReason(0));
        case REPLY -> new Signal.Reply(r.long8(), r.value(0));
        case MONITOR_NAME -> new Signal.MonitorName(r.pid(), r.string(), r.ref());
        case DEMONITOR_NAME -> new Signal.DemonitorName(r.pid(), r.string(), r.ref());
        default -> throw new MalformedFrameException("unknown signal kind " + kind);
      };
    } catch (MalformedFrameException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MalformedFrameException("the frame does not make a valid signal: " + e, e);
    }
    if (r.pos != r.end) {
      throw new MalformedFrameException((r.end - r.pos) + " bytes left over after the signal");
    }
    return signal;
  }

  private final class Reader {
    private final byte[] buf;
    private final int end;
    private final Dispatcher dispatcher;
    int pos;

    Reader(byte[] buf, int pos, int end, Dispatcher dispatcher) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
      this.dispatcher = dispatcher;
    }

    private void need(long n) {
      if (n < 0 || n > end - pos) {
        throw new MalformedFrameException("truncated frame: " + n + " bytes needed at offset " + pos + ", "
            + (end - pos) + " left");
      }
    }

    int byte1() {
      need(1);
      return buf[pos++] & 0xff;
    }

    int int4() {
      need(4);
      int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
          | (buf[pos + 3] & 0xff);
      pos += 4;
      return v;
    }

    long long8() {
      return ((long) int4() << 32) | (int4() & 0xffffffffL);
    }

    /** A count of items that each take at least one byte: no larger than what is left. */
    int count() {
      int n = int4();
      need(n);
      return n;
    }

    byte[] bytes() {
      int n = int4();
      need(n);
      byte[] b = new byte[n];
      System.arraycopy(buf, pos, b, 0, n);
      pos += n;
      return b;
    }

    String string() {
      int n = int4();
      need(n);
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    Pid pid() {
      String node = string();
      if (node.isEmpty()) {
        throw new MalformedFrameException("a pid with an empty node name");
      }
      return dispatcher.pid(node, int4(), long8());
    }

    Ref ref() {
      String node = string();
      if (node.isEmpty()) {
        throw new MalformedFrameException("a reference with an empty node name");
      }
      return dispatcher.ref(new Dispatcher.RefId(node, int4(), long8()));
    }

    Object nonNullValue() {
      Object v = value(0);
      if (v == null) {
        throw new MalformedFrameException("a null message");
      }
      return v;
    }

    ExitReason exitReason(int depth) {
      int kind = byte1();
      return switch (kind) {
        case 0 -> {
          String atom = string();
          try {
            yield ExitReason.Standard.valueOf(atom);
          } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("unknown standard exit reason " + atom);
          }
        }
        case 1 -> {
          Object detail = value(depth + 1);
          yield detail == null ? ExitReason.SHUTDOWN : ExitReason.shutdown(detail);
        }
        case 2 -> {
          String type = string();
          String message = byte1() == 0 ? null : string();
          yield ExitReason.crash(new RemoteCrash(type, message));
        }
        case 3 -> {
          Object term = value(depth + 1);
          if (term == null) {
            throw new MalformedFrameException("a null exit reason term");
          }
          yield ExitReason.of(term);
        }
        default -> throw new MalformedFrameException("unknown exit reason kind " + kind);
      };
    }

    Object value(int depth) {
      if (depth > MAX_DEPTH) {
        throw new MalformedFrameException("values nest deeper than " + MAX_DEPTH + " levels");
      }
      int tag = byte1();
      return switch (tag) {
        case NULL -> null;
        case TRUE -> Boolean.TRUE;
        case FALSE -> Boolean.FALSE;
        case INT -> int4();
        case LONG -> long8();
        case DOUBLE -> Double.longBitsToDouble(long8());
        case FLOAT -> Float.intBitsToFloat(int4());
        case SHORT -> (short) int4();
        case BYTE -> (byte) byte1();
        case CHAR -> (char) int4();
        case STRING -> string();
        case BYTES -> bytes();
        case BIGINT -> {
          byte[] b = bytes();
          if (b.length == 0) {
            throw new MalformedFrameException("an empty big integer");
          }
          yield new BigInteger(b);
        }
        case BIGDEC -> {
          int scale = int4();
          byte[] b = bytes();
          if (b.length == 0) {
            throw new MalformedFrameException("an empty big decimal");
          }
          yield new BigDecimal(new BigInteger(b), scale);
        }
        case PID -> pid();
        case REF -> ref();
        case EXIT -> exitReason(depth);
        case FROM -> {
          String node = string();
          if (node.isEmpty()) {
            throw new MalformedFrameException("a reply channel with an empty node name");
          }
          long id = long8();
          Pid caller = byte1() == 0 ? null : pid();
          yield dispatcher.from(new Dispatcher.FromId(node, id, caller));
        }
        case LIST -> {
          int n = count();
          List<Object> list = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            list.add(value(depth + 1));
          }
          yield Collections.unmodifiableList(list);
        }
        case SET -> {
          int n = count();
          Set<Object> set = new LinkedHashSet<>();
          for (int i = 0; i < n; i++) {
            set.add(value(depth + 1));
          }
          yield Collections.unmodifiableSet(set);
        }
        case MAP -> {
          int n = count();
          Map<Object, Object> map = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            Object k = value(depth + 1);
            map.put(k, value(depth + 1));
          }
          yield Collections.unmodifiableMap(map);
        }
        case ENUM -> {
          String name = string();
          Class<?> type = allowedClass(name);
          if (type == null || !type.isEnum()) {
            throw new MalformedFrameException("the frame names the enum " + name + ", which is not allowed");
          }
          String constant = string();
          for (Object c : type.getEnumConstants()) {
            if (((Enum<?>) c).name().equals(constant)) {
              yield c;
            }
          }
          throw new MalformedFrameException("the enum " + name + " has no constant " + constant);
        }
        case RECORD -> {
          String name = string();
          Class<?> type = allowedClass(name);
          if (type == null || !type.isRecord()) {
            throw new MalformedFrameException("the frame names the record " + name + ", which is not allowed");
          }
          RecordShape shape = shape(type);
          int n = int4();
          if (n != shape.accessors.length) {
            throw new MalformedFrameException("the record " + name + " has " + shape.accessors.length
                + " components, the frame " + n);
          }
          Object[] args = new Object[n];
          for (int i = 0; i < n; i++) {
            args[i] = value(depth + 1);
          }
          try {
            yield shape.constructor.newInstance(args);
          } catch (InvocationTargetException e) {
            throw new MalformedFrameException("the record " + name + " refused its values: " + e.getCause(), e);
          } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new MalformedFrameException("the frame's values do not make a " + name + ": " + e, e);
          }
        }
        default -> throw new MalformedFrameException("unknown value tag " + tag + " at offset " + (pos - 1));
      };
    }
  }
}
