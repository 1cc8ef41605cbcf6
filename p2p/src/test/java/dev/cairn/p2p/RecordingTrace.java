package dev.cairn.p2p;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@link PeerTrace} that keeps every event and action in order, for tests that check what the
 * core did and in which order. Not thread-safe: used on the harness's one thread.
 */
final class RecordingTrace implements PeerTrace {
  /** Events and actions, interleaved as they happened. */
  final List<Object> entries = new ArrayList<>();

  @Override
  public void event(PeerEvent event) {
    entries.add(event);
  }

  @Override
  public void action(PeerAction action) {
    entries.add(action);
  }

  List<PeerAction> actions() {
    return entries.stream().filter(o -> o instanceof PeerAction).map(o -> (PeerAction) o).toList();
  }

  void clear() {
    entries.clear();
  }

  /** The position of the first entry matching {@code p}, or -1. */
  int indexOf(Predicate<Object> p) {
    List<Integer> all = indexesOf(p);
    return all.isEmpty() ? -1 : all.get(0);
  }

  List<Integer> indexesOf(Predicate<Object> p) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (p.test(entries.get(i))) {
        out.add(i);
      }
    }
    return out;
  }

  /** The entries as text, for failure messages. */
  List<String> describe() {
    List<String> out = new ArrayList<>();
    for (Object o : entries) {
      out.add(o instanceof PeerEvent e ? e.describe() : ((PeerAction) o).describe());
    }
    return out;
  }
}
