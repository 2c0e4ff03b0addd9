"""Host-runtime fixtures: project folders written from build_engine/build_schedule."""

from __future__ import annotations

import pytest
from host_nets import codenet_like, make_project

from generator.zoo import tiny


@pytest.fixture(scope="session")
def tiny_net():
    return tiny.build()


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory, tiny_net):
    return make_project(tmp_path_factory.mktemp("tiny_proj"), tiny_net)


@pytest.fixture(scope="session")
def codenet_net():
    return codenet_like(64)


@pytest.fixture(scope="session")
def codenet_dir(tmp_path_factory, codenet_net):
    return make_project(tmp_path_factory.mktemp("codenet_proj"), codenet_net)
