"""Compiles the translation catalogues into the wheel (everything else is pyproject.toml)."""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path("src/careloop/i18n/locale")


class BuildWithCatalogues(build_py):
    """build_py, then the ``.mo`` files next to the ``.po`` files in the build tree."""

    def run(self) -> None:
        super().run()
        spec = importlib.util.spec_from_file_location(
            "careloop_i18n_compiling", "src/careloop/i18n/compiling.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.compile_catalogues(LOCALE, Path(self.build_lib) / "careloop/i18n/locale")


setup(cmdclass={"build_py": BuildWithCatalogues})
