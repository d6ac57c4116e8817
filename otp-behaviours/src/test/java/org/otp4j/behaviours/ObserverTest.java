package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

class ObserverTest {

  static final class Shop extends Application {
    @Override
    protected Pid start(Type type) {
      return Supervisor.startLink(Supervisor.oneForOne(),
          ChildSpec.worker("cart", () -> {
            Pid p = Proc.spawnLink(() -> Proc.receive(m -> false));
            Proc.register("cart", p);
            return p;
          }),
          ChildSpec.supervisor("payments", () -> Supervisor.startLink(Supervisor.oneForAll(),
              ChildSpec.worker("gateway", () -> Proc.spawnLink(() -> Proc.receive(m -> false))))));
    }
  }

  @Test
  void theSnapshotShowsApplicationTreesAndTheOtherProcesses() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Application.load(AppDescriptor.of("shop", Shop::new).withVersion("2.1").withDescription("a shop"));
        Application.ensureAllStarted("shop", Application.Type.PERMANENT);
        Pid loner = node.spawn(() -> Proc.receive(m -> false));
        Proc.register("loner", loner);
      });
      // A snapshot shows what each process is doing at that moment, and the cart may not have reached
      // its receive yet: take snapshots until one shows everything, the cart waiting included.
      BehaviourTestKit.await().untilAsserted(() -> {
        NodeSnapshot snapshot = NodeSnapshot.of(node);
        assertThat(snapshot.applications()).hasSize(1);
        NodeSnapshot.Tree top = snapshot.applications().getFirst().tree();
        assertThat(top.supervisor()).isTrue();
        assertThat(top.children()).extracting(NodeSnapshot.Tree::childId).containsExactly("cart", "payments");
        assertThat(top.children().get(1).children()).extracting(NodeSnapshot.Tree::childId).containsExactly("gateway");
        assertThat(snapshot.others()).anySatisfy(p -> assertThat(p.registeredName()).contains("loner"));
        String text = snapshot.render();
        assertThat(text)
            .contains("shop 2.1 (permanent) - a shop")
            .contains("cart name=cart waiting (receive) mq=0")
            .contains("payments [supervisor]")
            .contains("`-- ")
            .contains("name=loner")
            .contains("name=application_controller");
      });
      assertThat(Name.local("x")).isNotNull();
    }
  }
}
