"""The HTML report opens in a real headless Chromium (Debian's package) with every plot
drawn, and its screenshot is not blank."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.rehearsal.support import CONFIGS, rehearse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium; .ci/run does)")

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
          "--virtual-time-budget=15000"]


def _chromium(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *_FLAGS, *args], capture_output=True, timeout=120,
                          check=False)


def _pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and raw scanlines (filter bytes kept) of an 8-bit RGB(A) PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, data, width, height = 8, b"", 0, 0
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        kind = png[offset + 4:offset + 8]
        body = png[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            data += body
        offset += 12 + length
    return width, height, zlib.decompress(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import asyncio
    import os

    folder = tmp_path_factory.mktemp("report")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        summary, _ = asyncio.run(rehearse(CONFIGS / "demo.yaml", duration=900.0))
    finally:
        os.chdir(cwd)
    path = folder / "report.html"
    summary.write_report(str(path))
    return path


def test_the_report_needs_nothing_beside_it(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", text)
    assert "plotly" in text
    assert "<li>sim: exchanges.sim kept (already simulated)</li>" in text


def test_every_plot_of_the_report_renders_in_chromium(report: Path) -> None:
    done = _chromium("--dump-dom", report.as_uri())
    dom = done.stdout.decode("utf-8", "replace")
    plots = re.findall(r'<div id="(plot-\d+)" class="plotly-graph-div', dom)
    assert len(plots) == 6  # price, inventory, P&L, spread, depth; then the timeline
    for plot in plots:
        start = dom.index(f'id="{plot}"')
        following = dom[start:dom.find('<section class="plot">', start) if
                        '<section class="plot">' in dom[start:] else len(dom)]
        assert 'class="main-svg"' in following, f"{plot} did not render"
        assert 'class="scatterlayer' in following, f"{plot} has no data drawn"


def test_the_screenshot_of_the_report_is_not_blank(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = _chromium("--window-size=1200,2400", f"--screenshot={shot}", report.as_uri())
    assert shot.exists(), done.stderr.decode("utf-8", "replace")
    width, height, raw = _pixels(shot.read_bytes())
    assert (width, height) == (1200, 2400)
    distinct = len({raw[i:i + 3] for i in range(1, len(raw), 997)})
    assert distinct > 20, "the screenshot is (nearly) one colour"
