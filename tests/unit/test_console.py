"""Ctrl-C at any moment of a command is one line and status 130, never a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("after", [0.15, 0.4, 0.8, 1.5])
def test_ctrl_c_while_perfreport_starts_or_checks_is_one_line(after):
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfreport", "check"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    if proc.returncode == 0:  # it had finished: nothing to interrupt
        assert out.startswith("ok: ")
    elif proc.returncode == -signal.SIGINT:  # before Python itself had started: the signal's
        assert err == ""  # default action (the shell shows status 130), and nothing printed
    else:
        assert (proc.returncode, err) == (130, "perfreport: interrupted by SIGINT\n")
