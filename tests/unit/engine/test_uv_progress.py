"""uv's stderr lines, as pyshelf reads them for its progress display (lines as uv 0.13
writes them when its stderr is a pipe)."""

from __future__ import annotations

import pytest

from pyshelf.engine.uv_progress import Said, Tracker, Update, read_line, short_name

SYNC = """Using Python 3.11.7 environment at: /home/me/.local/share/pyshelf/gens/3
   Building myproj @ file:///tmp/pexp/proj
      Built myproj @ file:///tmp/pexp/proj
Resolved 5 packages in 571ms
Downloading bigpkg (2.3MiB)
 Downloaded bigpkg
Prepared 5 packages in 63ms
Installed 5 packages in 15ms
 + alpha==2.0
 + myproj==1.0 (from file:///tmp/pexp/proj)
"""


@pytest.mark.parametrize(("line", "said"), [
    ("Resolved 8 packages in 56ms\n", Said("Resolved", count=8)),
    ("Resolved 1 package in 1ms", Said("Resolved", count=1)),
    ("Prepared 5 packages in 63ms", Said("Prepared", count=5)),
    ("Installed 17 packages in 1.20s", Said("Installed", count=17)),
    ("Downloading bigpkg (2.3MiB)", Said("Downloading", "bigpkg", size="2.3MiB")),
    ("Downloading torch", Said("Downloading", "torch")),  # a size the index did not give
    (" Downloaded bigpkg", Said("Downloaded", "bigpkg")),
    ("   Building pyyaml==6.0.1", Said("Building", "pyyaml==6.0.1")),
    ("      Built myproj @ file:///tmp/p", Said("Built", "myproj @ file:///tmp/p")),
    ("\x1b[1m\x1b[36m   Building\x1b[0m numpy==2.2.2", Said("Building", "numpy==2.2.2")),
])
def test_uv_lines_that_tell_what_it_does(line: str, said: Said) -> None:
    assert read_line(line) == said


@pytest.mark.parametrize("line", [
    "Using Python 3.11.7 environment at: v",
    " + alpha==2.0",
    "Uninstalled 1 package in 0.97ms",
    "Checked 5 packages in 0.14ms",
    "error: Failed to build `myproj @ file:///tmp/p`",
    # a build backend's own output, quoted in uv's error with the block's indent
    "      Building wheel for myproj",
    "         Built the extension",
    "Building",
    "",
])
def test_other_lines_mean_nothing(line: str) -> None:
    assert read_line(line) is None


def test_a_short_name_drops_the_version_or_url() -> None:
    assert short_name("pyyaml==6.0.1") == "pyyaml"
    assert short_name("myproj @ file:///tmp/p") == "myproj"
    assert short_name("not a requirement ((") == "not a requirement (("


def feed_all(tracker: Tracker, text: str) -> list[Update]:
    return [u for u in map(tracker.feed, text.splitlines(keepends=True)) if u is not None]


def test_a_sync_counts_its_packages_and_names_what_is_in_flight() -> None:
    tracker = Tracker.installing(5)
    assert tracker.opening() == Update("Installing 5 packages ...")  # the build said it
    assert [u.status for u in feed_all(tracker, SYNC)] == [
        "Installing 5 packages: building myproj ...",
        "Installing 5 packages ...",
        "Installing 5 packages ...",
        "Installing 5 packages: downloading bigpkg (2.3MiB) ...",
        "Installing 5 packages ...",
        "Installing 5 packages ...",
    ]


def test_a_log_gets_one_line_per_step_in_order() -> None:
    lines = [u.line for u in feed_all(Tracker.installing(5), SYNC) if u.line]
    assert lines == ["Built myproj @ file:///tmp/pexp/proj", "Downloading bigpkg (2.3MiB) ...",
                     "Installing 5 packages ..."]


def test_work_in_flight_side_by_side() -> None:
    tracker = Tracker.installing(52)
    feed_all(tracker, "Downloading numpy (15.0MiB)\n   Building pyyaml==6.0.1\n")
    assert tracker.status() == ("Installing 52 packages: downloading numpy (15.0MiB), "
                                "building pyyaml ...")
    feed_all(tracker, " Downloaded numpy\n")
    assert tracker.status() == "Installing 52 packages: building pyyaml ..."


def test_the_install_counts_what_was_resolved_not_what_was_prepared() -> None:
    """Installs go into a fresh scratch environment, so each resolved package is installed;
    uv's "Prepared" count leaves out what an earlier attempt (the offline one) already
    built, so it varies from run to run."""
    tracker = Tracker.installing(52)
    updates = feed_all(tracker, "Resolved 2 packages in 3ms\nPrepared 1 package in 0.37ms\n")
    assert updates[-1] == Update("Installing 2 packages ...", "Installing 2 packages ...")


def test_a_resolve_is_a_step_of_its_own() -> None:
    tracker = Tracker.resolving(12)
    assert tracker.opening() == Update("Resolving 12 requirements ...",
                                       "Resolving 12 requirements ...")
    assert Tracker.resolving(1).headline == "Resolving 1 requirement"
    assert Tracker.resolving(0).headline == "Resolving"
    # uv's summaries end the resolve; only the builds it needed for metadata show
    assert tracker.feed("Resolved 12 packages in 5ms") is None
    assert tracker.feed("   Building proj @ file:///p") == Update(
        "Resolving 12 requirements: building proj ...")
