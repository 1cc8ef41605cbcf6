package dev.cairn.p2p;

/**
 * Watches the peer core's every event and action, in order, for determinism checks and debugging.
 * Called on the driver's loop only, so implementations need not be thread-safe.
 */
interface PeerTrace {
  PeerTrace NONE =
      new PeerTrace() {
        @Override
        public void event(PeerEvent event) {}

        @Override
        public void action(PeerAction action) {}
      };

  void event(PeerEvent event);

  void action(PeerAction action);
}
