"""Test configuration: with INFOPLANE_REQUIRE_TORCH=1 (as the Maven build sets it) a missing torch is an
error, not a reason to skip the PyTorch tests; with INFOPLANE_REQUIRE_INTEGRATIONS=1 (the second,
torch 2.x run) so is a missing PyTorch Lightning, transformers, accelerate, or the JVM-free readers' PyIceberg,
PyArrow and pandas; with INFOPLANE_REQUIRE_BROWSER=1 (as .ci/run sets it after installing Chromium) a missing
browser fails the interactive-plane test instead of skipping it."""
import os
import sys

import pytest


def pytest_configure(config):
    if os.environ.get("INFOPLANE_REQUIRE_TORCH") == "1":
        try:
            import torch  # noqa: F401
        except ImportError as e:
            raise pytest.UsageError("INFOPLANE_REQUIRE_TORCH=1, but %s cannot import torch (%s); install "
                                    "python3-torch or give Maven -Dpython.executable=..." % (sys.executable, e))
    if os.environ.get("INFOPLANE_REQUIRE_INTEGRATIONS") == "1":
        missing = []
        for name in ("lightning", "transformers", "accelerate", "pyiceberg", "pyarrow", "pandas"):
            try:
                __import__(name)
            except ImportError as e:
                missing.append("%s (%s)" % (name, e))
        if missing:
            raise pytest.UsageError("INFOPLANE_REQUIRE_INTEGRATIONS=1, but %s cannot import %s; install "
                                    "python/ci-requirements.txt" % (sys.executable, ", ".join(missing)))
