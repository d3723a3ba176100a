"""The build backend's own words, found in uv's report of a failed build."""

from __future__ import annotations

from pyshelf.engine.backend_output import backend_lines

SETUPTOOLS_SCM = """error: Failed to build `brokenproj @ file:///tmp/bp/proj`
  cause: The build backend returned an error
  cause: Call to `backend.prepare_metadata_for_build_wheel` failed (exit status: 1)

         [stderr]
         checking the version of brokenproj
         Traceback (most recent call last):
           File "<string>", line 14, in <module>
           File "/tmp/bp/proj/backend.py", line 6, in prepare_metadata_for_build_wheel
             raise LookupError("setuptools-scm was unable to detect version for /tmp/bp/proj.")
         LookupError: setuptools-scm was unable to detect version for /tmp/bp/proj.

hint: Build failures usually indicate a problem with the package or the build environment
"""

COMPILER = """error: Failed to build `ext @ file:///src/ext`
  cause: Call to `setuptools.build_meta.build_wheel` failed (exit status: 1)

         [stdout]
         running build_ext
         building 'ext' extension

         [stderr]
         ext.c:1:10: fatal error: Python.h: No such file or directory
             1 | #include <Python.h>
         compilation terminated.
         error: command '/usr/bin/gcc' failed with exit code 1

hint: This usually indicates a problem with the package or the build environment.
"""


def test_the_exception_not_the_traceback_nor_uvs_hint():
    assert backend_lines(SETUPTOOLS_SCM) == [
        "LookupError: setuptools-scm was unable to detect version for /tmp/bp/proj."]


def test_a_compilers_error_and_the_command_that_failed():
    assert backend_lines(COMPILER) == [
        "ext.c:1:10: fatal error: Python.h: No such file or directory",
        "error: command '/usr/bin/gcc' failed with exit code 1"]


def test_the_last_lines_when_none_names_an_error():
    quiet = ("error: Failed to build `x`\n  cause: failed\n\n         [stderr]\n"
             "         one\n         two\n         three\n         four\n\nhint: x\n")
    assert backend_lines(quiet) == ["two", "three", "four"]


def test_nothing_when_uv_shows_no_backend_output():
    assert backend_lines("error: Failed to fetch: https://x/simple/a/\n") == []
