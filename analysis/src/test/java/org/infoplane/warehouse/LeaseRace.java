package org.infoplane.warehouse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Several would-be analyses acquiring one lease at the same moment, each holding it a while. */
final class LeaseRace {

  private LeaseRace() {}

  /**
   * Starts {@code n} threads at once, each acquiring a lease with {@code acquire} and holding it
   * 300 ms; fails if any acquisition fails or takes over a minute.
   *
   * @return the most threads that held a lease at the same time
   */
  static int mostHoldersAtOnce(int n, Callable<AnalysisLease> acquire) throws Exception {
    CyclicBarrier start = new CyclicBarrier(n);
    AtomicInteger holders = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ExecutorService ex = Executors.newFixedThreadPool(n);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        runs.add(ex.submit(() -> {
          start.await();
          try (AnalysisLease lease = acquire.call()) {
            most.accumulateAndGet(holders.incrementAndGet(), Math::max);
            Thread.sleep(300);
            holders.decrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      ex.shutdownNow();
    }
    return most.get();
  }
}
