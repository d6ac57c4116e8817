package org.otp4j.examples.iot.sim;

/** Device, group and gateway ids as the contract spells them: {@code d-000042}, {@code g-07}, {@code gw-000001}. */
final class Devices {
  private Devices() {}

  static String id(int number) {
    return "d-" + pad(number, 6);
  }

  static String group(int number) {
    return "g-" + pad(number, 2);
  }

  static String gateway(int number) {
    return "gw-" + pad(number, 6);
  }

  /**
   * The number in a device id.
   *
   * @throws IllegalArgumentException if {@code id} is not {@code d-} and six digits
   */
  static int number(String id) {
    if (id == null || !id.matches("d-\\d{6}")) {
      throw new IllegalArgumentException("a device id is d- and six digits (d-000042), got " + id);
    }
    return Integer.parseInt(id.substring(2));
  }

  static String telemetryTopic(String id) {
    return "devices/" + id + "/telemetry";
  }

  static String statusTopic(String id) {
    return "devices/" + id + "/status";
  }

  static String commandsTopic(String id) {
    return "devices/" + id + "/commands";
  }

  static String acksTopic(String id) {
    return "devices/" + id + "/acks";
  }

  static String gatewayStatusTopic(String gateway) {
    return "gateways/" + gateway + "/status";
  }

  private static String pad(int n, int width) {
    String s = Integer.toString(n);
    return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
  }
}
