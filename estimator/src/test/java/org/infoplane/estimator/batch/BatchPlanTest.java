package org.infoplane.estimator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Batches as sets of sample ids, checked by hand and by set identities. */
class BatchPlanTest {

  /** The ids of each batch (positions mapped back through the stored order). */
  private static List<long[]> idBatches(BatchPlan plan, long[] ids) {
    List<long[]> out = new ArrayList<>();
    for (int[] batch : plan.batches(ids)) {
      long[] b = new long[batch.length];
      for (int k = 0; k < batch.length; k++) {
        b[k] = ids[batch[k]];
      }
      out.add(b);
    }
    return out;
  }

  @Test
  void sortedBatchesAreConsecutiveRunsOfSortedIdsAndTheShortLastOneIsDropped() {
    long[] stored = {50, 10, 40, 20, 30, 60, 70};
    List<int[]> batches = BatchPlan.sorted(3).batches(stored);
    assertThat(batches).hasSize(2);
    assertThat(batches.get(0)).containsExactly(1, 3, 4); // ids 10, 20, 30
    assertThat(batches.get(1)).containsExactly(2, 0, 5); // ids 40, 50, 60; 70 is left out
  }

  @Test
  void sortedBatchesDoNotDependOnTheStoredOrder() {
    long[] a = {5, 3, 9, 1, 7, 2, 8, 6, 4, 0};
    long[] b = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    List<long[]> fromA = idBatches(BatchPlan.sorted(4), a);
    List<long[]> fromB = idBatches(BatchPlan.sorted(4), b);
    assertThat(fromA).hasSize(2);
    assertThat(fromA.get(0)).containsExactly(0, 1, 2, 3);
    assertThat(fromA.get(1)).containsExactly(4, 5, 6, 7);
    assertThat(fromB.get(0)).containsExactly(fromA.get(0));
    assertThat(fromB.get(1)).containsExactly(fromA.get(1));
  }

  @Test
  void shuffledBatchesAreDeterministicForASeedAndPermuteTheIds() {
    long[] ids = new long[30];
    long[] reversed = new long[30];
    for (int i = 0; i < 30; i++) {
      ids[i] = 100 + 3L * i;
      reversed[29 - i] = ids[i];
    }
    BatchPlan plan = BatchPlan.shuffled(10, 7L);
    List<long[]> first = idBatches(plan, ids);
    List<long[]> again = idBatches(plan, ids);
    List<long[]> fromReversed = idBatches(plan, reversed);
    Set<Long> seen = new HashSet<>();
    assertThat(first).hasSize(3);
    for (int b = 0; b < 3; b++) {
      assertThat(again.get(b)).containsExactly(first.get(b));
      assertThat(fromReversed.get(b)).containsExactly(first.get(b));
      for (long id : first.get(b)) {
        seen.add(id);
      }
    }
    Set<Long> all = new HashSet<>();
    for (long id : ids) {
      all.add(id);
    }
    assertThat(seen).isEqualTo(all); // a permutation of the whole set
    // not the sorted order, and another seed gives other batches
    assertThat(first.get(0)).isNotEqualTo(idBatches(BatchPlan.sorted(10), ids).get(0));
    assertThat(idBatches(BatchPlan.shuffled(10, 8L), ids).get(0)).isNotEqualTo(first.get(0));
  }

  @Test
  void duplicateIdsAreRejectedWithTheIdAndPositions() {
    assertThatThrownBy(() -> BatchPlan.sorted(2).batches(new long[] {5, 20, 7, 9, 20}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sample id 20 appears more than once (positions 1 and 4)");
    assertThatThrownBy(() -> BatchPlan.shuffled(2, 1L).batches(new long[] {3, 3}))
        .hasMessageContaining("sample id 3 appears more than once");
  }

  @Test
  void tooFewSamplesOrATinyBatchAreRejected() {
    assertThatThrownBy(() -> BatchPlan.sorted(5).batches(new long[] {1, 2, 3}))
        .hasMessage("batch size 5 is larger than the evaluation set of 3 samples");
    assertThatThrownBy(() -> BatchPlan.sorted(1))
        .hasMessage("batch size must be >= 2, got 1");
  }

  @Test
  void specNamesTheOrderAndSize() {
    assertThat(BatchPlan.sorted(100).spec()).isEqualTo("sorted/100");
    assertThat(BatchPlan.shuffled(64, 7).spec()).isEqualTo("shuffled(7)/64");
  }

  @Test
  void unusedAreTheSamplesOfTheDroppedBatch() {
    long[] ids = java.util.stream.LongStream.range(0, 25).toArray();
    assertThat(BatchPlan.unused(BatchPlan.sorted(10).batches(ids), 25))
        .containsExactly(20, 21, 22, 23, 24);
    int[] unused = BatchPlan.unused(BatchPlan.shuffled(10, 3).batches(ids), 25);
    assertThat(unused).hasSize(5);
    for (int[] b : BatchPlan.shuffled(10, 3).batches(ids)) {
      assertThat(b).doesNotContain(unused);
    }
    assertThat(BatchPlan.unused(BatchPlan.sorted(5).batches(ids), 25)).isEmpty();
  }
}
