"""What uv reads for each requirement: the normalised spec, or an editable's one option line."""

from __future__ import annotations

from pathlib import Path

from pyshelf.change.resolve import input_line
from pyshelf.core.model import IntentEntry


def test_a_requirement_is_its_spec():
    assert input_line(IntentEntry("black", "black[d]>=24")) == "black[d]>=24"


def test_an_editable_is_the_one_option_line_and_names_its_folder_as_a_uri():
    entry = IntentEntry("mine", "mine", kind="editable", source_path="/src/my project")
    assert input_line(entry) == f"-e {Path('/src/my project').as_uri()}"
    assert input_line(entry) == "-e file:///src/my%20project"


def test_an_editable_without_a_folder_is_its_spec():
    assert input_line(IntentEntry("mine", "mine @ file:///src/mine", kind="editable")) == (
        "mine @ file:///src/mine")


def test_a_local_project_that_is_not_editable_is_its_spec():
    entry = IntentEntry("mine", "mine @ file:///src/mine", kind="local",
                        source_path="/src/mine")
    assert input_line(entry) == "mine @ file:///src/mine"
