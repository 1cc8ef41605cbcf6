package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The virtual clock every simulation and harness runs on: tasks run in time order, ties in the
 * order they were given (a task given "now" runs after every task already due now), never before
 * their time, each seeing the clock at exactly its own time; the clock only moves forward and only
 * when the test moves it.
 */
class VirtualSchedulerTest {
  private static final long START = 1_700_000_000_000L;

  /** One task's run: its name and the clock it saw. */
  private record Ran(String name, long at) {}

  @Test
  void runsTasksInTimeOrderEachAtItsOwnTime() {
    VirtualScheduler s = new VirtualScheduler(START);
    List<Ran> ran = new ArrayList<>();
    s.schedule(30, () -> ran.add(new Ran("c", s.now())));
    s.schedule(10, () -> ran.add(new Ran("a", s.now())));
    s.schedule(20, () -> ran.add(new Ran("b", s.clock().nowMillis())));

    s.runFor(100);

    assertThat(ran).containsExactly(new Ran("a", START + 10), new Ran("b", START + 20), new Ran("c", START + 30));
    assertThat(s.now()).isEqualTo(START + 100);
    assertThat(s.executed()).isEqualTo(3);
  }

  @Test
  void tiesRunInSubmissionOrderAndANewTaskForNowRunsAfterThoseAlreadyDue() {
    VirtualScheduler s = new VirtualScheduler(START);
    List<String> ran = new ArrayList<>();
    s.schedule(5, () -> ran.add("t5-first"));
    s.execute(() -> {
      ran.add("now-1");
      // Given while "now-2" is already due at the same time: it runs after it, not before.
      s.execute(() -> ran.add("now-3 (given by now-1)"));
      s.schedule(5, () -> ran.add("t5-third (given by now-1)"));
    });
    s.schedule(0, () -> ran.add("now-2"));
    s.schedule(5, () -> ran.add("t5-second"));

    s.runDue();
    assertThat(ran).containsExactly("now-1", "now-2", "now-3 (given by now-1)");

    s.runFor(5);
    assertThat(ran)
        .containsExactly("now-1", "now-2", "now-3 (given by now-1)", "t5-first", "t5-second", "t5-third (given by now-1)");
  }

  @Test
  void neverRunsATaskBeforeItsTimeAndRunDueDoesNotMoveTheClock() {
    VirtualScheduler s = new VirtualScheduler(START);
    List<Long> ran = new ArrayList<>();
    s.schedule(100, () -> ran.add(s.now()));

    s.runDue();
    assertThat(ran).isEmpty();
    assertThat(s.now()).isEqualTo(START);

    s.runUntil(START + 99);
    assertThat(ran).isEmpty();
    assertThat(s.now()).isEqualTo(START + 99);

    s.runFor(1);
    assertThat(ran).containsExactly(START + 100);
  }

  @Test
  void aNegativeDelayMeansNowAndTheClockNeverGoesBack() {
    VirtualScheduler s = new VirtualScheduler(START);
    s.runFor(50);
    List<Long> ran = new ArrayList<>();
    s.schedule(-1_000, () -> ran.add(s.now()));

    s.runDue();
    assertThat(ran).containsExactly(START + 50);

    s.runUntil(START); // earlier than now: the clock stays where it is
    assertThat(s.now()).isEqualTo(START + 50);
  }

  @Test
  void tasksGivenWhileRunningRunInTheSameStepOnlyIfDueByItsEnd() {
    VirtualScheduler s = new VirtualScheduler(START);
    List<Ran> ran = new ArrayList<>();
    s.schedule(10, () -> {
      ran.add(new Ran("first", s.now()));
      s.schedule(15, () -> ran.add(new Ran("in-step", s.now()))); // due at +25
      s.schedule(16, () -> ran.add(new Ran("next-step", s.now()))); // due at +26
    });

    s.runUntil(START + 25);
    assertThat(ran).containsExactly(new Ran("first", START + 10), new Ran("in-step", START + 25));

    s.runFor(1);
    assertThat(ran).last().isEqualTo(new Ran("next-step", START + 26));
  }

  /**
   * "Never" on the node's scheduler (a {@code ScheduledThreadPoolExecutor} saturates the delay):
   * a delay too large to add to the clock must not wrap around into the past and run at once.
   */
  @Test
  void aDelayTooLargeToAddToTheClockNeverRunsAndNeverWindsTheClockBack() {
    VirtualScheduler s = new VirtualScheduler(START);
    List<Long> ran = new ArrayList<>();
    s.schedule(Long.MAX_VALUE, () -> ran.add(s.now()));

    s.runDue();
    s.runFor(365L * 24 * 3600 * 1000);

    assertThat(ran).isEmpty();
    assertThat(s.now()).isEqualTo(START + 365L * 24 * 3600 * 1000);
  }

  /**
   * Random delays given at random moments (some from inside running tasks), the clock moved in
   * random steps: every task runs exactly once, at exactly its due time, in (time, submission)
   * order, and no task runs before its time.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 0x5C4ED})
  void randomSchedulesRunInTimeThenSubmissionOrder(long seed) {
    Random r = new Random(seed);
    VirtualScheduler s = new VirtualScheduler(START);
    record Due(long time, int sequence) {}
    List<Due> given = new ArrayList<>();
    List<Due> ran = new ArrayList<>();
    List<Long> seenAt = new ArrayList<>();
    int[] next = {0};
    Runnable[] giveOne = new Runnable[1];
    giveOne[0] =
        () -> {
          long delay = r.nextInt(8) == 0 ? 0 : r.nextInt(200);
          boolean spawns = r.nextInt(4) == 0;
          Due d = new Due(s.now() + delay, next[0]++);
          given.add(d);
          s.schedule(delay, () -> {
            ran.add(d);
            seenAt.add(s.now());
            if (spawns && given.size() < 2_000) {
              giveOne[0].run();
            }
          });
        };
    for (int step = 0; step < 300; step++) {
      int n = r.nextInt(4);
      for (int i = 0; i < n; i++) {
        giveOne[0].run();
      }
      long before = s.now();
      long target = before + r.nextInt(60);
      s.runUntil(target);
      assertThat(s.now()).isEqualTo(target);
      // Everything due by now has run; nothing later has.
      long ranSoFar = ran.size();
      assertThat(given.stream().filter(d -> d.time() <= target).count()).isEqualTo(ranSoFar);
    }
    s.runFor(10_000);

    assertThat(ran).hasSameSizeAs(given);
    for (int i = 0; i < ran.size(); i++) {
      assertThat(seenAt.get(i)).as("task %s ran at its time", ran.get(i)).isEqualTo(ran.get(i).time());
    }
    List<Due> expected = new ArrayList<>(given);
    expected.sort(Comparator.comparingLong(Due::time).thenComparingInt(Due::sequence));
    assertThat(ran).containsExactlyElementsOf(expected);
    assertThat(s.executed()).isEqualTo(given.size());
  }
}
