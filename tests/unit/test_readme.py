"""The README's promises: two Quickstart commands, and a worked source spec that works."""

from __future__ import annotations

import re

from tests.helpers import README, REPO


def test_quickstart_is_exactly_two_one_line_sh_commands_and_ci_runs_the_second():
    quickstart = re.search(r"^## Quickstart$(.*?)^## ", README, re.S | re.M).group(1)
    blocks = re.findall(r"^```sh\n(.*?)^```", quickstart, re.S | re.M)
    assert len(blocks) == 2
    assert all(len(b.strip().splitlines()) == 1 for b in blocks)
    assert "perfreport demo" in blocks[0] and "pytest" in blocks[1]
    ci = (REPO / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci.splitlines()


def test_the_readmes_python_examples_give_the_results_they_show():
    import doctest

    blocks = re.findall(r"^```pycon\n(.*?)^```", README, re.S | re.M)
    assert blocks, "the README shows its Python examples as pycon sessions"
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for number, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README pycon block {number}", "README.md", 0))
    results = runner.summarize(verbose=False)
    assert results.attempted >= 15 and results.failed == 0
