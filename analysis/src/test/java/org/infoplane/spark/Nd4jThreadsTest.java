package org.infoplane.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class Nd4jThreadsTest {

  @Test
  void coresAreSharedByTheExecutorsTaskSlots() {
    assertThat(Nd4jThreads.slots(new SparkConf(false).set("spark.master", "local[4]"), 16)).isEqualTo(4);
    assertThat(Nd4jThreads.slots(new SparkConf(false).set("spark.master", "local[*]"), 8)).isEqualTo(8);
    assertThat(Nd4jThreads.slots(new SparkConf(false).set("spark.master", "local"), 8)).isEqualTo(1);
    assertThat(Nd4jThreads.slots(new SparkConf(false).set("spark.master", "spark://h:7077")
        .set("spark.executor.cores", "6").set("spark.task.cpus", "2"), 32)).isEqualTo(3);
    assertThat(Nd4jThreads.perTask(0, 16, 4)).isEqualTo(4);
    assertThat(Nd4jThreads.perTask(0, 2, 8)).isEqualTo(1);
    assertThat(Nd4jThreads.perTask(3, 16, 4)).as("an explicit setting wins").isEqualTo(3);
  }
}
