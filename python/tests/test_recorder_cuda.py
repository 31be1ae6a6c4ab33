"""The recorder on a CUDA model: float16 and float32 models on the GPU are recorded as float32 arrays on
the host, equal to each layer's output computed by hand on the same device (the oracle), whatever the
chunk size. Skipped where torch has no CUDA device."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("needs a CUDA device", allow_module_level=True)

from test_recorder import SharedReluNet, _x  # noqa: E402

from infoplane import Recorder  # noqa: E402

LAYERS = ["conv1", "conv2", "fc1", "fc2", "out"]


def _model(dtype):
    torch.manual_seed(0)
    return SharedReluNet().to("cuda", dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_a_cuda_model_is_recorded_as_float32_host_arrays_equal_to_its_layers(dtype):
    model, x = _model(dtype), _x(n=37)
    rec = Recorder(model, LAYERS)
    want = {k: v.float().cpu().numpy() for k, v in model.by_hand(x.to("cuda", dtype)).items()}
    for chunk in (5, 256):  # several chunks with a ragged last one, and one chunk
        got = rec.record(x, batch_size=chunk)
        assert rec.layer_names == LAYERS
        for name in LAYERS:
            assert got[name].dtype == np.float32, name
            assert got[name].shape == want[name].shape, name
            # The same kernels on the same device: equal up to the order a chunked batch may change.
            tol = 1e-2 if dtype == torch.float16 else 1e-5
            np.testing.assert_allclose(got[name], want[name], rtol=tol, atol=tol, err_msg=name)
    assert next(model.parameters()).device.type == "cuda", "the model stays on its device"


def test_float16_on_the_gpu_records_the_same_plane_inputs_as_float32_within_half_precision():
    x = _x(n=64)
    full = Recorder(_model(torch.float32), LAYERS).record(x)
    half = Recorder(_model(torch.float16), LAYERS).record(x)
    for name in LAYERS:
        scale = max(1.0, float(np.abs(full[name]).max()))
        assert np.abs(half[name] - full[name]).max() <= 1e-2 * scale, name
