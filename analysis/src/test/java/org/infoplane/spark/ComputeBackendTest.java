package org.infoplane.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** The backend decision against resources handed in as Spark hands them to a task. */
class ComputeBackendTest {

  private static String[] gpus(String... addresses) {
    return ComputeBackend.gpuAddresses(Map.of("gpu", new ResourceInformation("gpu", addresses)));
  }

  @Test
  void cudaBindsTheAssignedGpu() {
    ComputeBackend.Decision d = ComputeBackend.decide("cuda", gpus("3"), true);
    assertThat(d.backend()).isEqualTo("cuda");
    assertThat(d.gpu()).isEqualTo(3);
  }

  @Test
  void autoUsesTheGpuWhenItCanAndSaysWhyWhenItCannot() {
    assertThat(ComputeBackend.decide("auto", gpus("1"), true).gpu()).isEqualTo(1);
    ComputeBackend.Decision noGpu = ComputeBackend.decide("auto", ComputeBackend.gpuAddresses(Map.of()), true);
    assertThat(noGpu.backend()).isEqualTo("cpu");
    assertThat(noGpu.reason()).contains("no GPU assigned").contains("spark.task.resource.gpu.amount");
    ComputeBackend.Decision cpuBuild = ComputeBackend.decide("AUTO", gpus("0"), false);
    assertThat(cpuBuild.backend()).isEqualTo("cpu");
    assertThat(cpuBuild.gpu()).isNull();
    assertThat(cpuBuild.reason()).contains("GPU 0").contains("CPU backend").contains("-Pcuda");
  }

  @Test
  void surprisesFailLoudlyWithTheNumbersAndTheSettingToChange() {
    assertThatThrownBy(() -> ComputeBackend.decide("auto", gpus("0", "1"), true))
        .hasMessageContaining("2 GPUs").hasMessageContaining("[0, 1]").hasMessageContaining("spark.task.resource.gpu.amount=1");
    assertThatThrownBy(() -> ComputeBackend.decide("cuda", gpus(), true))
        .hasMessageContaining("0 GPUs").hasMessageContaining("spark.executor.resource.gpu.amount=1")
        .hasMessageContaining("infoplane.backend=auto");
    assertThatThrownBy(() -> ComputeBackend.decide("cuda", gpus("2"), false))
        .hasMessageContaining("GPU 2").hasMessageContaining("CPU backend").hasMessageContaining("-Pcuda");
    assertThatThrownBy(() -> ComputeBackend.decide("cpu", gpus(), true))
        .hasMessageContaining("infoplane.backend=cpu").hasMessageContaining("CUDA backend");
    assertThatThrownBy(() -> ComputeBackend.decide("cuda", gpus("GPU-7f3a"), true))
        .hasMessageContaining("GPU-7f3a").hasMessageContaining("gpu-discovery.sh");
    assertThatThrownBy(() -> ComputeBackend.decide("tpu", gpus(), false)).hasMessageContaining("cpu, cuda or auto");
  }

  @Test
  void thisMachineRunsTheCpuBackendAndAutoFallsBackOutsideTasks() {
    assertThat(ComputeBackend.isCudaLoaded()).isFalse();
    ComputeBackend.Decision d = ComputeBackend.bindCurrentTask("auto");
    assertThat(d.backend()).isEqualTo("cpu");
  }
}
