package org.infoplane.spark;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which ND4J backend a task computes on, and on which GPU.
 *
 * <p>The GPU comes from Spark's resource scheduler (the task's {@code gpu} resource, see {@code
 * conf/spark-gpu.conf} and {@code conf/gpu-discovery.sh}) and is bound once per task thread. The
 * setting {@code infoplane.backend} asks for {@code cpu}, {@code cuda} or {@code auto}:
 *
 * <ul>
 *   <li>{@code cuda}: the task must hold exactly one GPU and ND4J must have loaded its CUDA backend
 *       (a jar built with {@code -Pcuda} on a machine with the CUDA runtime); anything else fails
 *       the task with the numbers and the setting to change;
 *   <li>{@code auto}: CUDA on the task's GPU when both are there, else the CPU, with the reason;
 *   <li>{@code cpu}: the CPU backend; fails if ND4J loaded CUDA.
 * </ul>
 *
 * One log line per executor and outcome says what actually ran.
 */
public final class ComputeBackend {

  private static final Logger LOG = LoggerFactory.getLogger(ComputeBackend.class);
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  /** What to run on: the backend, the GPU (or null) and why. */
  public record Decision(String backend, Integer gpu, String reason) {}

  private ComputeBackend() {}

  /**
   * Decides the backend, without side effects.
   *
   * @param requested cpu, cuda or auto
   * @param gpuAddresses the GPU addresses Spark assigned to the task (empty for none)
   * @param cudaLoaded whether ND4J's CUDA backend is the one loaded in this JVM
   * @throws IllegalStateException when the request cannot be met, naming the numbers and the setting
   */
  public static Decision decide(String requested, String[] gpuAddresses, boolean cudaLoaded) {
    String req = requested.toLowerCase(Locale.ROOT);
    if (gpuAddresses.length > 1) {
      throw new IllegalStateException("this task was given " + gpuAddresses.length + " GPUs "
          + Arrays.toString(gpuAddresses) + "; InfoPlane uses one GPU per task: set spark.task.resource.gpu.amount=1");
    }
    Integer gpu = gpuAddresses.length == 1 ? parseAddress(gpuAddresses[0]) : null;
    switch (req) {
      case "cpu":
        if (cudaLoaded) {
          throw new IllegalStateException("infoplane.backend=cpu, but ND4J loaded its CUDA backend: run the CPU"
              + " build of the jobs jar (built without -Pcuda), or set infoplane.backend=cuda or auto");
        }
        return new Decision("cpu", null, "requested cpu");
      case "cuda":
        if (gpu == null) {
          throw new IllegalStateException("infoplane.backend=cuda, but Spark assigned this task 0 GPUs: set"
              + " spark.executor.resource.gpu.amount=1 and spark.task.resource.gpu.amount=1 (see conf/spark-gpu.conf),"
              + " or infoplane.backend=auto to fall back to the CPU");
        }
        if (!cudaLoaded) {
          throw new IllegalStateException("infoplane.backend=cuda and Spark assigned GPU " + gpu + ", but ND4J loaded its"
              + " CPU backend (" + loadedBackend() + "): build the jobs jar with -Pcuda and make the CUDA runtime"
              + " available to the executors, or set infoplane.backend=auto");
        }
        return new Decision("cuda", gpu, "requested cuda");
      case "auto":
        if (gpu != null && cudaLoaded) {
          return new Decision("cuda", gpu, "auto: GPU " + gpu + " assigned and ND4J's CUDA backend loaded");
        }
        return new Decision("cpu", null, gpu == null
            ? "auto: no GPU assigned to the task (spark.task.resource.gpu.amount is not set)"
            : "auto: GPU " + gpu + " assigned, but ND4J loaded its CPU backend (" + loadedBackend()
                + "; build with -Pcuda for GPUs)");
      default:
        throw new IllegalArgumentException("infoplane.backend must be cpu, cuda or auto, got '" + requested + "'");
    }
  }

  /**
   * Decides and binds the current task thread: call at the start of each partition function.
   * Outside a Spark task (on the driver) there are no task resources.
   */
  public static Decision bindCurrentTask(String requested) {
    TaskContext tc = TaskContext.get();
    String[] addresses = new String[0];
    if (tc != null) {
      scala.Option<ResourceInformation> gpu = tc.resources().get("gpu");
      if (gpu.isDefined()) {
        addresses = gpu.get().addresses();
      }
    }
    Decision d = decide(requested, addresses, isCudaLoaded());
    if (d.gpu() != null) {
      Nd4j.getAffinityManager().unsafeSetDevice(d.gpu());
    }
    String line = "InfoPlane compute backend: " + d.backend() + (d.gpu() == null ? "" : " on GPU " + d.gpu())
        + " (" + d.reason() + ")";
    if (LOGGED.add(line)) {
      LOG.info(line);
    }
    return d;
  }

  /** True when ND4J's loaded backend is its CUDA backend. */
  public static boolean isCudaLoaded() {
    return loadedBackend().toLowerCase(Locale.ROOT).contains("cublas")
        || loadedBackend().toLowerCase(Locale.ROOT).contains("cuda");
  }

  private static String loadedBackend() {
    return Nd4j.getBackend().getClass().getSimpleName();
  }

  private static Integer parseAddress(String a) {
    try {
      return Integer.parseInt(a.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("GPU address '" + a + "' assigned by Spark is not a CUDA device index;"
          + " check the discovery script (conf/gpu-discovery.sh)", e);
    }
  }

  /** Resources as Spark hands them to a task, for callers that hold them. */
  public static String[] gpuAddresses(Map<String, ResourceInformation> resources) {
    ResourceInformation gpu = resources.get("gpu");
    return gpu == null ? new String[0] : gpu.addresses();
  }
}
