"""Every pinned requirement has a wheel for Python 3.11 on each platform the README promises.

pip evaluates environment markers for the machine it runs on, whatever --platform says, so this test
evaluates them itself for each target, then asks the registry (pip's dry run) for exactly that list.
"""

import subprocess
import sys

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from tests.support import ROOT

PLATFORMS = {  # name → (marker environment, wheel tags a Python 3.11 there accepts)
    "Linux x86_64": ({"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
                     ["manylinux_2_27_x86_64", "manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
                      "manylinux2014_x86_64", "linux_x86_64"]),
    "Linux aarch64": ({"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"},
                      ["manylinux_2_27_aarch64", "manylinux_2_28_aarch64", "manylinux_2_17_aarch64",
                       "manylinux2014_aarch64", "linux_aarch64"]),
    "macOS arm64": ({"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
                    [f"macosx_{v}_0_arm64" for v in (14, 13, 12, 11)]),
    "Windows amd64": ({"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"},
                      ["win_amd64"]),
}


def requirements_for(environment: dict) -> list[str]:
    """The lines of requirements.txt whose markers hold on `environment`, markers stripped."""
    env = {**default_environment(), "python_version": "3.11", "python_full_version": "3.11.9", **environment}
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [Requirement(line) for line in lines if line and not line.startswith("#")]
    return [f"{r.name}{r.specifier}" for r in reqs if r.marker is None or r.marker.evaluate(env)]


@pytest.mark.parametrize("name", PLATFORMS)
def test_exactly_one_tensorflow_per_platform(name):
    flavours = [r for r in requirements_for(PLATFORMS[name][0]) if r.startswith("tensorflow")]
    expected = "tensorflow-cpu==2.21.0" if name in ("Linux x86_64", "Windows amd64") else "tensorflow==2.21.0"
    assert flavours == [expected]


def test_every_requirement_is_pinned():
    for environment, _ in PLATFORMS.values():
        assert all("==" in r for r in requirements_for(environment))


def test_every_requirement_has_a_wheel(tmp_path):
    """One dry run per platform, all four at once: each waits on the registry, not on this machine."""
    asked = {}
    for i, (name, (environment, tags)) in enumerate(PLATFORMS.items()):
        wanted = requirements_for(environment)
        platform_args = [arg for tag in tags for arg in ("--platform", tag)]
        process = subprocess.Popen(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-deps",
             "--no-cache-dir", "--only-binary=:all:", "--python-version", "3.11", *platform_args,
             "--target", str(tmp_path / f"t{i}"), *wanted],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        asked[name] = (wanted, process)
    missing = {}
    for name, (wanted, process) in asked.items():
        out, err = process.communicate()
        would = out.split("Would install", 1)[1].split() if process.returncode == 0 else []
        if len(would) != len(wanted):  # one wheel per requirement
            missing[name] = err[-2000:] or out[-2000:]
    assert missing == {}
