"""`perfreport generate-demo` writes the same bytes in any process and under any hash seed."""

from __future__ import annotations

import hashlib

from perfreport.store.demo import generate
from tests.helpers import REPO, run_cli


def test_same_bytes_across_processes_and_hash_seeds(tmp_path, demo_settings, catalogue, areas):
    demo_text = generate(demo_settings, catalogue, areas)
    digests = set()
    for hash_seed in ("1", "12345"):
        out = tmp_path / hash_seed
        result = run_cli(
            "generate-demo", "--out", str(out), cwd=REPO, env={"PYTHONHASHSEED": hash_seed}
        )
        assert result.code == 0, result.stderr
        digests.add(hashlib.sha256((out / "observations.csv").read_bytes()).hexdigest())
    assert digests == {hashlib.sha256(demo_text.encode()).hexdigest()}
