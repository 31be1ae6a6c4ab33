"""Test configuration: with INFOPLANE_REQUIRE_TORCH=1 (as the Maven build sets it) a missing torch is an
error, not a reason to skip the PyTorch tests."""
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
