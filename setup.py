"""Builds stochos._core (and the engine modules) with CMake for `pip install`.

The build tree is $STOCHOS_BUILD_DIR, else build/release, the one `make build` uses, so a
checkout that is built already installs in seconds; a fresh one is configured and built there
(Release, without the tests and benchmarks). Nothing is downloaded.
"""

import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = pathlib.Path(os.environ.get("STOCHOS_BUILD_DIR", ROOT / "build" / "release"))
        if not (build / "build.ninja").exists():
            subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-G", "Ninja",
                            "-DCMAKE_BUILD_TYPE=Release", "-DSTOCHOS_BUILD_TESTS=OFF",
                            "-DSTOCHOS_BUILD_BENCH=OFF", f"-DPython3_EXECUTABLE={sys.executable}"],
                           check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "stochos_python"], check=True)
        built = build / "python" / "stochos"
        module = next(built.glob("_core*.so"), None)
        if module is None:
            raise RuntimeError(f"the build left no _core module in {built} (is pybind11-dev installed?)")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(module, target)
        # The engine modules travel with the package (stochos/engines), where __init__ finds them.
        engines = target.parent / "engines"
        for so in (build / "engines").glob("*.so"):
            engines.mkdir(exist_ok=True)
            shutil.copy2(so, engines / so.name)


setup(ext_modules=[Extension("stochos._core", sources=[])], cmdclass={"build_ext": CMakeBuild})
