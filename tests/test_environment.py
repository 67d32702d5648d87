"""environment.yml (conda, Binder) and pyproject.toml (pip, make) must not drift apart."""

import re
import tomllib

import pytest
import yaml

from nqpf import paths

PINNED = ["numpy", "scipy", "pandas", "scikit-learn", "matplotlib"]


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment():
    return yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))


def requirement_names(requirements):
    return {re.split(r"[=<>!~\[; ]", req, maxsplit=1)[0].lower() for req in requirements}


@pytest.mark.parametrize("package", PINNED)
def test_output_libraries_pinned_exactly(pyproject, package):
    pins = [r for r in pyproject["project"]["dependencies"] if requirement_names([r]) == {package}]
    assert len(pins) == 1 and re.fullmatch(rf"{package}==\d+(\.\d+)+", pins[0]), pins


def test_same_python(pyproject, environment):
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    python = next(d for d in conda if d.startswith("python"))
    version = python.split("=")[1]
    assert pyproject["project"]["requires-python"] == f">={version},<3.{int(version[2:]) + 1}"


def test_conda_installs_the_project_with_makes_extras(environment):
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    make_target = re.search(r'pip install --quiet -e "(\S+)"', makefile).group(1)
    assert pip_section == [f"-e {make_target}"]


def test_conda_adds_no_packages_of_its_own(pyproject, environment):
    conda = {re.split(r"[=<>]", d)[0] for d in environment["dependencies"] if isinstance(d, str)}
    assert conda == {"python", "pip", "make"}
    declared = requirement_names(pyproject["project"]["dependencies"])
    assert not conda & declared
