package org.infoplane.spark;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the threads of ND4J's native operations (OpenMP and BLAS) in an executor, so that concurrent
 * tasks do not oversubscribe its cores: each of the executor's task slots gets cores / slots
 * threads, or the number set by {@code infoplane.nd4j.threads}. ND4J's thread counts are global to
 * the JVM, so this is done once per executor.
 */
public final class Nd4jThreads {

  private static final Logger LOG = LoggerFactory.getLogger(Nd4jThreads.class);
  private static final AtomicBoolean DONE = new AtomicBoolean();
  private static final Pattern LOCAL = Pattern.compile("local(?:-cluster)?\\[(\\d+|\\*)(?:,\\s*\\d+)?]");

  private Nd4jThreads() {}

  /** Threads per task for {@code cores} cores shared by {@code slots} concurrent tasks. */
  public static int perTask(int requested, int cores, int slots) {
    if (requested > 0) {
      return requested;
    }
    return Math.max(1, cores / Math.max(1, slots));
  }

  /** Concurrent task slots of this executor, from Spark's settings. */
  static int slots(SparkConf conf, int cores) {
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    String master = conf.get("spark.master", "local[*]");
    Matcher m = LOCAL.matcher(master);
    int executorCores;
    if (m.matches()) {
      executorCores = m.group(1).equals("*") ? cores : Integer.parseInt(m.group(1));
    } else if (master.equals("local")) {
      executorCores = 1;
    } else {
      executorCores = conf.getInt("spark.executor.cores", cores);
    }
    return Math.max(1, executorCores / Math.max(1, taskCpus));
  }

  /** Applies the cap once in this JVM; call at the start of a task. */
  public static void configure(int requested) {
    if (!DONE.compareAndSet(false, true)) {
      return;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    SparkEnv env = SparkEnv.get();
    int slots = env == null ? 1 : slots(env.conf(), cores);
    int threads = perTask(requested, cores, slots);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    LOG.info("ND4J threads per task: {} ({} cores, {} concurrent tasks{})", threads, cores, slots,
        requested > 0 ? ", set by infoplane.nd4j.threads" : "");
  }
}
