package org.otp4j.examples;

import org.otp4j.examples.chat.ChatNodeRun;
import org.otp4j.examples.chat.ChatRun;
import org.otp4j.examples.demo.Tour;
import org.otp4j.examples.gateway.GatewayRun;
import org.otp4j.examples.iot.IotNodeRun;
import org.otp4j.examples.iot.IotRun;
import org.otp4j.examples.ledger.LedgerRun;

/**
 * Runs the examples: {@code Main} (or {@code Main chat}) starts the chat server and runs until
 * Ctrl-C; {@code Main tour} prints the guided tour of the runtime and exits; {@code Main gateway}
 * starts the API gateway in front of three upstream processes, {@code Main ledger} the ledger and
 * {@code Main iot} the IoT platform with its own MQTT broker, each running until Ctrl-C; {@code Main iot-devices}
 * and {@code Main iot-node} run the IoT platform's broker and devices, and one platform node of a
 * cluster (see {@code IotNodeRun}); {@code Main chat-node} runs one node of a chat cluster (see
 * {@code ChatNodeRun}).
 */
public final class Main {
  private Main() {}

  /**
   * Runs the example named by the first argument ({@code chat}, the default, {@code chat-node}, {@code tour}, {@code gateway}, {@code ledger}, {@code iot}, {@code iot-node} or {@code iot-devices}).
   *
   * @param args the example's name, or nothing
   * @throws InterruptedException if interrupted while the chat server runs
   */
  public static void main(String[] args) throws InterruptedException {
    String which = args.length == 0 ? "chat" : args[0];
    switch (which) {
      case "chat" -> System.exit(ChatRun.run());
      case "chat-node" -> System.exit(ChatNodeRun.node());
      case "tour" -> Tour.run(System.out);
      case "gateway" -> System.exit(GatewayRun.run());
      case "ledger" -> System.exit(LedgerRun.run());
      case "iot" -> System.exit(IotRun.run());
      case "iot-node" -> System.exit(IotNodeRun.node());
      case "iot-devices" -> System.exit(IotNodeRun.devices());
      default -> {
        System.err.println("unknown example '" + which + "'; expected one of: chat (the default), tour, gateway, ledger, iot, iot-node, iot-devices, chat-node");
        System.exit(2);
      }
    }
  }
}
