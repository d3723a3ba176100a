"""The managed shell block: detection, rendering, pure editing, file handling, real shells."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyshelf.errors import PyshelfError
from pyshelf.host.shell_block import (
    BACKUP_SUFFIX,
    END_MARKER,
    MANAGED_NOTE,
    START_MARKER,
    apply_block,
    check_config_file,
    default_config_path,
    detect_shell,
    has_block,
    render_block,
    shell_kind_for_path,
    update_config_file,
    why_new_shell_skips,
)

IS_ROOT = os.geteuid() == 0
needs_non_root = pytest.mark.skipif(IS_ROOT, reason="root ignores file permissions")

BIN = Path("/home/someone/.local/share/pyshelf/env/bin")
BLOCK = render_block("bash", [BIN])
OTHER_BLOCK = render_block("bash", [Path("/elsewhere/bin")])

# Every character that a careless block would let a shell expand or split on.
NASTY_NAME = "my dir 'single' \"double\" $HOME ${HOME} `touch CANARY` $(touch CANARY) * ? \\ [a]"


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("shell_env", "expected"),
    [
        ("/usr/bin/zsh", "zsh"),
        ("/bin/zsh", "zsh"),
        ("zsh", "zsh"),
        ("/usr/local/bin/fish", "fish"),
        ("fish", "fish"),
        ("/bin/bash", "bash"),
        ("/bin/sh", "bash"),
        ("/usr/bin/tcsh", "bash"),
        ("/opt/zsh-tools/bin/dash", "bash"),
        ("", "bash"),
        (None, "bash"),
    ],
)
def test_detect_shell(shell_env, expected):
    assert detect_shell(shell_env) == expected


def test_default_config_path_bash():
    home = Path("/home/u")
    assert default_config_path("bash", home, {}) == home / ".bashrc"


def test_default_config_path_zsh_honours_zdotdir():
    home = Path("/home/u")
    assert default_config_path("zsh", home, {}) == home / ".zshrc"
    assert default_config_path("zsh", home, {"ZDOTDIR": "/home/u/.config/zsh"}) == Path(
        "/home/u/.config/zsh/.zshrc"
    )
    assert default_config_path("zsh", home, {"ZDOTDIR": ""}) == home / ".zshrc"


def test_default_config_path_fish_honours_xdg_config_home():
    home = Path("/home/u")
    assert default_config_path("fish", home, {}) == Path("/home/u/.config/fish/conf.d/pyshelf.fish")
    assert default_config_path("fish", home, {"XDG_CONFIG_HOME": "/xdg"}) == Path(
        "/xdg/fish/conf.d/pyshelf.fish"
    )
    assert default_config_path("fish", home, {"XDG_CONFIG_HOME": ""}) == Path(
        "/home/u/.config/fish/conf.d/pyshelf.fish"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("config.fish", "fish"),
        ("conf.d/pyshelf.fish", "fish"),
        (".zshrc", "zsh"),
        ("my.zshenv", "zsh"),
        (".zprofile", "zsh"),
        (".bashrc", "bash"),
        (".profile", "bash"),
        ("rc", "bash"),
    ],
)
def test_shell_kind_for_path(name, expected):
    assert shell_kind_for_path(Path("/home/u") / name) == expected


@pytest.mark.parametrize(("kind", "name", "environ"), [
    ("bash", ".bashrc", {}),
    ("zsh", ".zshrc", {}),
    ("zsh", "z/.zshenv", {"ZDOTDIR": "{home}/z"}),
    ("fish", ".config/fish/config.fish", {}),
    ("fish", "x/fish/conf.d/mine.fish", {"XDG_CONFIG_HOME": "{home}/x"}),
])
def test_files_a_new_interactive_shell_reads(tmp_path, kind, name, environ):
    environ = {key: value.format(home=tmp_path) for key, value in environ.items()}
    assert why_new_shell_skips(tmp_path / name, kind, tmp_path, environ) is None


def test_why_a_new_interactive_shell_skips_a_file(tmp_path):
    def why(kind: str, name: str, environ: dict[str, str] | None = None) -> str | None:
        return why_new_shell_skips(tmp_path / name, kind, tmp_path, environ or {})

    assert why("bash", ".profile") == "only a login shell reads it"
    assert why("zsh", ".zprofile") == "only a login shell reads it"
    assert why("bash", "rc") == f"it reads {tmp_path / '.bashrc'}"
    assert why("zsh", ".zshrc", {"ZDOTDIR": str(tmp_path / "z")}) == (
        f"it reads {tmp_path / 'z/.zshenv'} and {tmp_path / 'z/.zshrc'}")
    (tmp_path / ".bash_login").write_text("")
    assert why("bash", ".profile") == (
        f"only a login shell reads it, and a login bash reads {tmp_path / '.bash_login'} "
        "instead")
    assert why("bash", ".bash_login") == "only a login shell reads it"
    (tmp_path / "dotfiles").mkdir()
    (tmp_path / "dotfiles" / "bashrc").write_text("")
    (tmp_path / ".bashrc").symlink_to(tmp_path / "dotfiles" / "bashrc")
    assert why("bash", "dotfiles/bashrc") is None  # the file ~/.bashrc leads to


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("kind", ["bash", "zsh", "fish"])
def test_render_block_has_markers_and_note(kind):
    block = render_block(kind, [BIN])
    lines = block.split(b"\n")
    assert lines[0] == START_MARKER
    assert lines[1] == MANAGED_NOTE
    assert lines[-2] == END_MARKER
    assert lines[-1] == b""
    assert block.endswith(b"\n")
    assert os.fsencode(BIN) in block
    assert has_block(block) == 1


def test_render_block_posix_shape():
    block = render_block("bash", [BIN])
    assert b'case ":${PATH-}:" in' in block
    assert b"export PATH" in block
    assert render_block("zsh", [BIN]) == block


def test_render_block_fish_uses_global_not_universal():
    block = render_block("fish", [BIN])
    assert b"set -gx PATH" in block
    assert b"contains --" in block
    assert b"-U" not in block
    assert b"fish_add_path" not in block


def test_render_block_quotes_single_quotes():
    weird = Path("/a/it's")
    assert b"'/a/it'\\''s'" in render_block("bash", [weird])
    assert b"'/a/it\\'s'" in render_block("fish", [weird])
    assert b"'/a\\\\b'" in render_block("fish", [Path("/a\\b")])


@pytest.mark.parametrize("kind", ["bash", "zsh", "fish"])
def test_render_block_refuses_newline(kind):
    with pytest.raises(PyshelfError, match="newline"):
        render_block(kind, [Path("/a\nb")])


@pytest.mark.parametrize("kind", ["bash", "zsh", "fish"])
def test_render_block_refuses_colon(kind):
    with pytest.raises(PyshelfError, match="':'"):
        render_block(kind, [Path("/a:b")])


def test_render_block_keeps_non_utf8_directory_bytes():
    raw = b"/data/caf\xe9/bin"
    block = render_block("bash", [Path(os.fsdecode(raw))])
    assert b"'" + raw + b"'" in block


# --------------------------------------------------------------------------- apply_block


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", BLOCK),
        (b"a\n", b"a\n\n" + BLOCK),
        (b"a\n\n", b"a\n\n\n" + BLOCK),
        (b"\n", b"\n\n" + BLOCK),
    ],
)
def test_append_adds_one_blank_line(content, expected):
    assert apply_block(content, BLOCK) == expected


def test_append_without_final_newline_records_it_on_the_marker():
    result = apply_block(b"a", BLOCK)
    assert result.startswith(b"a\n\n" + START_MARKER + b" ")
    assert result.endswith(BLOCK[BLOCK.index(b"\n") :])
    assert has_block(result) == 1
    assert apply_block(result, None) == b"a"


@pytest.mark.parametrize(
    "content",
    [b"", b"\n", b"\n\n", b"a", b"a\n", b"a\n\n", b"a\n\n\n", b"a\r\n", b"a\r", b"x\ny"],
)
def test_remove_is_exact_inverse_of_append(content):
    added = apply_block(content, BLOCK)
    assert added != content
    assert apply_block(added, None) == content


@pytest.mark.parametrize("content", [b"", b"a", b"a\n", b"a\n\n"])
def test_apply_is_idempotent_and_replaces_in_place(content):
    once = apply_block(content, BLOCK)
    assert apply_block(once, BLOCK) == once
    switched = apply_block(once, OTHER_BLOCK)
    assert switched == apply_block(content, OTHER_BLOCK)
    assert BLOCK not in switched
    assert apply_block(switched, None) == content


def test_replace_keeps_surrounding_text_in_place():
    old = b"before\n" + OTHER_BLOCK + b"after\n"
    assert apply_block(old, BLOCK) == b"before\n" + BLOCK + b"after\n"


def test_duplicates_collapse_to_first_position():
    content = b"top\n\n" + OTHER_BLOCK + b"middle\n\n" + OTHER_BLOCK + b"bottom\n\n" + OTHER_BLOCK
    assert has_block(content) == 3
    result = apply_block(content, BLOCK)
    assert has_block(result) == 1
    assert result == b"top\n\n" + BLOCK + b"middle\n" + b"bottom\n"
    assert apply_block(result, BLOCK) == result


def test_remove_takes_out_every_block():
    content = b"top\n\n" + BLOCK + b"middle\n\n" + OTHER_BLOCK
    assert apply_block(content, None) == b"top\nmiddle\n"


def test_remove_without_block_returns_content_unchanged():
    assert apply_block(b"abc\n", None) == b"abc\n"
    assert apply_block(b"", None) == b""


def test_remove_block_that_lost_its_final_newline():
    content = b"a\n\n" + BLOCK.rstrip(b"\n")
    assert apply_block(content, None) == b"a\n"


def test_markers_are_recognised_with_surrounding_whitespace_and_crlf():
    content = b"a\r\n  " + START_MARKER + b"\r\nold stuff\r\n\t" + END_MARKER + b"  \r\nz\r\n"
    assert has_block(content) == 1
    assert apply_block(content, BLOCK) == b"a\r\n" + BLOCK + b"z\r\n"


def test_marker_text_inside_a_line_is_not_a_marker():
    content = b'echo "' + START_MARKER + b'"\n'
    assert has_block(content) == 0
    assert apply_block(apply_block(content, BLOCK), None) == content


def test_stray_end_marker_is_left_alone():
    content = b"a\n" + END_MARKER + b"\n"
    assert has_block(content) == 0
    assert apply_block(apply_block(content, BLOCK), None) == content


def test_missing_end_marker_is_refused():
    content = b"a\n" + START_MARKER + b"\nPATH=x\n"
    with pytest.raises(PyshelfError, match=r"line 2 .*'# <<< pyshelf <<<'") as info:
        apply_block(content, BLOCK)
    assert "by hand" in info.value.message
    with pytest.raises(PyshelfError):
        apply_block(content, None)
    with pytest.raises(PyshelfError):
        has_block(content)


def test_start_marker_inside_open_block_is_refused():
    content = START_MARKER + b"\n" + START_MARKER + b"\n" + END_MARKER + b"\n"
    with pytest.raises(PyshelfError, match=r"line 1 .*line 2"):
        apply_block(content, BLOCK)


def test_non_utf8_content_preserved_byte_for_byte():
    content = b"\xff\xfe latin-1 caf\xe9\n\x00binary\x80 no newline"
    added = apply_block(content, BLOCK)
    assert added.startswith(content)
    assert apply_block(added, None) == content
    assert apply_block(added, OTHER_BLOCK)[: len(content)] == content


def test_has_block_counts():
    assert has_block(b"") == 0
    assert has_block(b"x\n" + BLOCK) == 1
    assert has_block(BLOCK + BLOCK) == 2


def test_apply_block_rejects_block_without_marker():
    with pytest.raises(ValueError, match="marker"):
        apply_block(b"", b"PATH=/x\n")


# --------------------------------------------------------------------------- properties


def _no_markers(content: bytes) -> bool:
    return b">>> pyshelf >>>" not in content and b"<<< pyshelf <<<" not in content


text_with_lines = st.lists(
    st.sampled_from(["", "\n", "\n\n", "\r\n", "a", "export X=1", " ", "#", "\xe9", "\t"]),
    max_size=12,
).map(lambda parts: "".join(parts).encode())
contents = st.one_of(st.binary(max_size=200), text_with_lines).filter(_no_markers)
blocks = st.sampled_from(
    [BLOCK, OTHER_BLOCK, render_block("fish", [BIN]), render_block("zsh", [BIN, Path("/x")])]
)


@settings(max_examples=400)
@given(content=contents, block=blocks)
def test_property_remove_inverts_append(content, block):
    added = apply_block(content, block)
    assert has_block(added) == 1
    assert apply_block(added, None) == content


@settings(max_examples=400)
@given(content=contents, block=blocks)
def test_property_apply_twice_equals_once(content, block):
    once = apply_block(content, block)
    assert apply_block(once, block) == once


@settings(max_examples=200)
@given(content=contents, first=blocks, second=blocks)
def test_property_switching_blocks_equals_applying_directly(content, first, second):
    assert apply_block(apply_block(content, first), second) == apply_block(content, second)


@settings(max_examples=200)
@given(
    pieces=st.lists(st.one_of(contents, st.just(None)), max_size=6),
    block=blocks,
)
def test_property_idempotent_with_existing_blocks(pieces, block):
    # Splice existing (old) blocks between arbitrary text, each on its own lines.
    content = b"".join(b"\n" + OTHER_BLOCK if piece is None else piece for piece in pieces)
    once = apply_block(content, block)
    assert has_block(once) == 1
    assert apply_block(once, block) == once
    removed = apply_block(once, None)
    assert has_block(removed) == 0
    assert apply_block(removed, None) == removed


# --------------------------------------------------------------------------- files


def test_update_creates_missing_file_and_parents(tmp_path):
    rc = tmp_path / ".config" / "fish" / "conf.d" / "pyshelf.fish"
    block = render_block("fish", [BIN])
    assert update_config_file(rc, block) is True
    assert rc.read_bytes() == block
    assert not rc.with_name(rc.name + BACKUP_SUFFIX).exists()


def test_update_new_file_mode_follows_umask(tmp_path):
    rc = tmp_path / ".bashrc"
    old = os.umask(0o027)
    try:
        update_config_file(rc, BLOCK)
    finally:
        os.umask(old)
    assert stat.S_IMODE(rc.stat().st_mode) == 0o640


def test_update_missing_file_with_none_does_nothing(tmp_path):
    rc = tmp_path / "sub" / ".bashrc"
    assert update_config_file(rc, None) is False
    assert not rc.exists()
    assert not rc.parent.exists()


def test_update_appends_removes_and_reports_change(tmp_path):
    rc = tmp_path / ".bashrc"
    rc.write_bytes(b"alias ll='ls -l'")
    assert update_config_file(rc, BLOCK) is True
    assert has_block(rc.read_bytes()) == 1
    assert update_config_file(rc, BLOCK) is False
    assert update_config_file(rc, None) is True
    assert rc.read_bytes() == b"alias ll='ls -l'"
    assert update_config_file(rc, None) is False


def test_update_preserves_mode(tmp_path):
    rc = tmp_path / ".bashrc"
    rc.write_bytes(b"x\n")
    rc.chmod(0o600)
    update_config_file(rc, BLOCK)
    assert stat.S_IMODE(rc.stat().st_mode) == 0o600


def test_update_no_change_writes_nothing_and_makes_no_backup(tmp_path):
    rc = tmp_path / ".bashrc"
    rc.write_bytes(b"x\n\n" + BLOCK)
    before = rc.stat()
    assert update_config_file(rc, BLOCK) is False
    after = rc.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert not (tmp_path / (".bashrc" + BACKUP_SUFFIX)).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".bashrc"]


def test_backup_made_once_and_never_overwritten(tmp_path):
    rc = tmp_path / ".bashrc"
    original = b"\xffnon-utf8 original\n"
    rc.write_bytes(original)
    rc.chmod(0o640)
    backup = tmp_path / (".bashrc" + BACKUP_SUFFIX)

    assert update_config_file(rc, BLOCK) is True
    assert backup.read_bytes() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640

    assert update_config_file(rc, OTHER_BLOCK) is True
    assert update_config_file(rc, None) is True
    assert backup.read_bytes() == original

    backup.write_bytes(b"the person's own backup")
    rc.write_bytes(b"changed\n")
    assert update_config_file(rc, BLOCK) is True
    assert backup.read_bytes() == b"the person's own backup"


def test_no_temporary_files_left_behind(tmp_path):
    rc = tmp_path / ".bashrc"
    rc.write_bytes(b"x\n")
    update_config_file(rc, BLOCK)
    update_config_file(rc, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".bashrc", ".bashrc" + BACKUP_SUFFIX]


def test_symlinked_rc_is_edited_at_target(tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "bashrc"
    real.write_bytes(b"export A=1\n")
    home = tmp_path / "home"
    home.mkdir()
    link = home / ".bashrc"
    link.symlink_to(real)

    assert update_config_file(link, BLOCK) is True
    assert link.is_symlink()
    assert link.readlink() == real
    assert real.read_bytes() == b"export A=1\n\n" + BLOCK
    assert (dotfiles / ("bashrc" + BACKUP_SUFFIX)).read_bytes() == b"export A=1\n"
    assert not (home / (".bashrc" + BACKUP_SUFFIX)).exists()

    assert update_config_file(link, None) is True
    assert link.is_symlink()
    assert real.read_bytes() == b"export A=1\n"


def test_dangling_symlink_with_existing_directory_creates_target(tmp_path):
    real = tmp_path / "dotfiles-bashrc"
    link = tmp_path / ".bashrc"
    link.symlink_to(real)
    assert update_config_file(link, BLOCK) is True
    assert link.is_symlink()
    assert real.read_bytes() == BLOCK


def test_dangling_symlink_with_missing_directory_is_refused(tmp_path):
    real = tmp_path / "missing-dir" / "bashrc"
    link = tmp_path / ".bashrc"
    link.symlink_to(real)
    with pytest.raises(PyshelfError, match="does not exist") as info:
        update_config_file(link, BLOCK)
    assert str(link) in info.value.message
    assert link.is_symlink()
    assert not real.parent.exists()


def test_directory_is_refused(tmp_path):
    target = tmp_path / "rc"
    target.mkdir()
    with pytest.raises(PyshelfError, match="is a directory") as info:
        update_config_file(target, BLOCK)
    assert str(target) in info.value.message
    assert target.is_dir()
    assert list(target.iterdir()) == []


def test_missing_end_marker_in_file_is_refused_and_names_it(tmp_path):
    rc = tmp_path / ".bashrc"
    content = b"a\n" + START_MARKER + b"\nPATH=x\n"
    rc.write_bytes(content)
    with pytest.raises(PyshelfError, match="line 2") as info:
        update_config_file(rc, BLOCK)
    assert str(rc) in info.value.message
    assert rc.read_bytes() == content
    assert not (tmp_path / (".bashrc" + BACKUP_SUFFIX)).exists()


def test_fifo_is_refused(tmp_path):
    fifo = tmp_path / "rc"
    os.mkfifo(fifo)
    with pytest.raises(PyshelfError, match="not a regular file"):
        update_config_file(fifo, BLOCK)


@needs_non_root
def test_unreadable_file_is_refused(tmp_path):
    rc = tmp_path / ".bashrc"
    rc.write_bytes(b"secret\n")
    rc.chmod(0o200)
    try:
        with pytest.raises(PyshelfError, match="Cannot read") as info:
            update_config_file(rc, BLOCK)
        assert str(rc) in info.value.message
    finally:
        rc.chmod(0o600)
    assert rc.read_bytes() == b"secret\n"


@needs_non_root
def test_unwritable_file_is_refused(tmp_path):
    rc = tmp_path / ".bashrc"
    rc.write_bytes(b"keep\n")
    rc.chmod(0o444)
    try:
        with pytest.raises(PyshelfError, match="not writable") as info:
            update_config_file(rc, BLOCK)
        assert str(rc) in info.value.message
    finally:
        rc.chmod(0o644)
    assert rc.read_bytes() == b"keep\n"
    assert not (tmp_path / (".bashrc" + BACKUP_SUFFIX)).exists()


@needs_non_root
def test_unwritable_directory_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    rc = folder / ".bashrc"
    rc.write_bytes(b"keep\n")
    folder.chmod(0o555)
    try:
        with pytest.raises(PyshelfError, match="not writable") as info:
            update_config_file(rc, BLOCK)
        assert str(rc) in info.value.message
    finally:
        folder.chmod(0o755)
    assert rc.read_bytes() == b"keep\n"
    assert sorted(p.name for p in folder.iterdir()) == [".bashrc"]


@needs_non_root
def test_uncreatable_parent_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    rc = locked / "fish" / "conf.d" / "pyshelf.fish"
    try:
        with pytest.raises(PyshelfError, match="permission denied"):
            update_config_file(rc, render_block("fish", [BIN]))
    finally:
        locked.chmod(0o755)
    assert list(locked.iterdir()) == []


# --------------------------------------------------------------------------- checking first


def _tree(root: Path) -> list[tuple[str, int, int, int]]:
    """Every entry below ``root`` (links not followed) with its type, size and mtime."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            info = os.lstat(Path(folder) / name)
            found.append((str(Path(folder, name).relative_to(root)), info.st_mode,
                          info.st_size, info.st_mtime_ns))
    return sorted(found)


def _existing(tmp_path: Path) -> Path:
    (tmp_path / ".bashrc").write_bytes(b"export A=1\n")
    return tmp_path / ".bashrc"


def _missing_with_folders(tmp_path: Path) -> Path:
    return tmp_path / ".config" / "fish" / "conf.d" / "pyshelf.fish"


def _link_to_a_new_file(tmp_path: Path) -> Path:
    (tmp_path / ".bashrc").symlink_to(tmp_path / "dotfiles-bashrc")
    return tmp_path / ".bashrc"


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "rc").mkdir()
    return tmp_path / "rc"


def _link_into_a_missing_folder(tmp_path: Path) -> Path:
    (tmp_path / ".bashrc").symlink_to(tmp_path / "gone" / "bashrc")
    return tmp_path / ".bashrc"


def _symlink_loop(tmp_path: Path) -> Path:
    (tmp_path / ".bashrc").symlink_to(tmp_path / ".bashrc-too")
    (tmp_path / ".bashrc-too").symlink_to(tmp_path / ".bashrc")
    return tmp_path / ".bashrc"


def _fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "rc")
    return tmp_path / "rc"


def _half_deleted_block(tmp_path: Path) -> Path:
    (tmp_path / ".bashrc").write_bytes(b"a\n" + START_MARKER + b"\nPATH=x\n")
    return tmp_path / ".bashrc"


def _file_in_the_folders_way(tmp_path: Path) -> Path:
    (tmp_path / ".config").write_bytes(b"not a folder\n")
    return tmp_path / ".config" / "fish" / "conf.d" / "pyshelf.fish"


def _unreadable(tmp_path: Path) -> Path:
    (tmp_path / ".bashrc").write_bytes(b"secret\n")
    (tmp_path / ".bashrc").chmod(0o200)
    return tmp_path / ".bashrc"


def _read_only(tmp_path: Path) -> Path:
    (tmp_path / ".bashrc").write_bytes(b"keep\n")
    (tmp_path / ".bashrc").chmod(0o444)
    return tmp_path / ".bashrc"


def _in_a_read_only_folder(tmp_path: Path) -> Path:
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / ".bashrc").write_bytes(b"keep\n")
    (tmp_path / "ro").chmod(0o555)
    return tmp_path / "ro" / ".bashrc"


@pytest.mark.parametrize("make", [_existing, _missing_with_folders, _link_to_a_new_file])
def test_check_accepts_what_can_be_written_and_changes_nothing(tmp_path, make):
    rc = make(tmp_path)
    before = _tree(tmp_path)

    check_config_file(rc)

    assert _tree(tmp_path) == before
    assert update_config_file(rc, BLOCK) is True


@pytest.mark.parametrize(("make", "words"), [
    (_directory, "is a directory"),
    (_link_into_a_missing_folder, "does not exist"),
    (_symlink_loop, "leads into a symlink loop"),
    (_fifo, "not a regular file"),
    (_half_deleted_block, "has no end marker line"),
    (_file_in_the_folders_way, "is a file, not a directory"),
    pytest.param(_unreadable, "permission denied", marks=needs_non_root),
    pytest.param(_read_only, "is not writable", marks=needs_non_root),
    pytest.param(_in_a_read_only_folder, "is not writable", marks=needs_non_root),
])
def test_check_refuses_with_the_sentence_writing_fails_with(tmp_path, make, words):
    rc = make(tmp_path)
    before = _tree(tmp_path)
    try:
        with pytest.raises(PyshelfError) as checked:
            check_config_file(rc)
        assert _tree(tmp_path) == before
        with pytest.raises(PyshelfError) as written:
            update_config_file(rc, BLOCK)
        assert _tree(tmp_path) == before
    finally:  # so that pytest can clean up
        for path in (tmp_path / "ro", tmp_path / ".bashrc"):
            if path.exists() and not path.is_symlink():
                path.chmod(0o755)
    assert checked.value.message == written.value.message
    assert words in checked.value.message
    assert str(rc) in checked.value.message


def test_symlink_loop_is_named_as_given(tmp_path):
    rc = _symlink_loop(tmp_path)
    with pytest.raises(PyshelfError) as info:
        check_config_file(rc)
    assert info.value.message == (
        f"{rc} leads into a symlink loop (links that point at each other); fix the links or "
        "choose another file with --shell-config.")


@needs_non_root
def test_check_refuses_folders_that_cannot_be_made(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(PyshelfError, match="not writable"):
            check_config_file(locked / "fish" / "conf.d" / "pyshelf.fish")
    finally:
        locked.chmod(0o755)
    assert list(locked.iterdir()) == []


# --------------------------------------------------------------------------- real shells


def _nasty_dir(tmp_path: Path) -> Path:
    directory = tmp_path / NASTY_NAME / "bin"
    directory.mkdir(parents=True)
    return directory


def _run_shell(argv: list[str], rc: Path, cwd: Path) -> bytes:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LC_ALL": "C"}
    proc = subprocess.run(
        [*argv, str(rc)], cwd=cwd, env=env, capture_output=True, check=False, timeout=30
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert proc.stderr == b"", proc.stderr.decode(errors="replace")
    return proc.stdout


def _assert_path(out: bytes, expected_first: list[Path], cwd: Path) -> None:
    entries = out.split(b":")
    wanted = [os.fsencode(d) for d in expected_first]
    assert entries[: len(wanted)] == wanted
    for raw in wanted:
        assert entries.count(raw) == 1
    assert entries[len(wanted) :] == [b"/usr/bin", b"/bin"]
    assert not (cwd / "CANARY").exists(), "a command substitution in the name was executed"


POSIX_SHELLS = [
    pytest.param(["bash", "--norc", "--noprofile", "-c"], "bash", id="bash"),
    pytest.param(["bash", "--norc", "--noprofile", "-uc"], "bash", id="bash-nounset"),
    pytest.param(["bash", "--posix", "--norc", "--noprofile", "-c"], "bash", id="bash-posix"),
    pytest.param(["zsh", "-f", "-c"], "zsh", id="zsh"),
    pytest.param(["zsh", "-f", "-o", "nounset", "-c"], "zsh", id="zsh-nounset"),
]


def _require(program: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed")


@pytest.mark.parametrize(("argv", "kind"), POSIX_SHELLS)
def test_posix_shell_sources_block_twice_without_expansion(tmp_path, argv, kind):
    _require(argv[0])
    nasty = _nasty_dir(tmp_path)
    second = tmp_path / "second bin"
    rc = tmp_path / "rc"
    update_config_file(rc, render_block(kind, [nasty, second]))
    script = '. "$1"; . "$1"; printf %s "$PATH"'
    out = _run_shell([*argv, script, kind], rc, tmp_path)
    _assert_path(out, [nasty, second], tmp_path)


def _variable_names(listing: bytes) -> set[bytes]:
    names = set()
    for line in listing.splitlines():
        name, sep, _ = line.partition(b"=")
        if sep and name.replace(b"_", b"a").isalnum():
            names.add(name)
    return names


def _new_variables(argv: list[str], kind: str, rc: Path, cwd: Path) -> set[bytes]:
    script = 'set > "$1.before"; . "$1"; set > "$1.after"'
    _run_shell([*argv, script, kind], rc, cwd)
    before = _variable_names(rc.with_name(rc.name + ".before").read_bytes())
    after = _variable_names(rc.with_name(rc.name + ".after").read_bytes())
    return after - before


@pytest.mark.parametrize(("argv", "kind"), POSIX_SHELLS)
def test_posix_shell_leaves_no_helper_variables(tmp_path, argv, kind):
    _require(argv[0])
    rc = tmp_path / "rc"
    update_config_file(rc, render_block(kind, [_nasty_dir(tmp_path), tmp_path / "two"]))
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    # The shell's own bookkeeping (PIPESTATUS, _, ...) shows up either way; discount it.
    churn = _new_variables(argv, kind, empty, tmp_path)
    assert _new_variables(argv, kind, rc, tmp_path) - churn == set()


@pytest.mark.parametrize(("argv", "kind"), POSIX_SHELLS)
def test_posix_shell_dir_already_on_path_is_not_added(tmp_path, argv, kind):
    _require(argv[0])
    rc = tmp_path / "rc"
    update_config_file(rc, render_block(kind, [Path("/bin")]))
    out = _run_shell([*argv, '. "$1"; printf %s "$PATH"', kind], rc, tmp_path)
    assert out == b"/usr/bin:/bin"


def test_posix_shell_with_empty_path_gets_no_trailing_colon(tmp_path):
    _require("bash")
    rc = tmp_path / "rc"
    update_config_file(rc, render_block("bash", [Path("/opt/x")]))
    bash = shutil.which("bash")
    proc = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", 'PATH=; . "$1"; printf %s "$PATH"', "b", str(rc)],
        env={},
        capture_output=True,
        check=True,
    )
    assert proc.stdout == b"/opt/x"


def test_posix_shell_exports_path(tmp_path):
    _require("bash")
    rc = tmp_path / "rc"
    update_config_file(rc, render_block("bash", [Path("/opt/x")]))
    out = _run_shell(
        ["bash", "--norc", "--noprofile", "-c", '. "$1"; /usr/bin/env', "b"], rc, tmp_path
    )
    assert b"PATH=/opt/x:/usr/bin:/bin\n" in out


def test_fish_sources_block_twice_without_expansion(tmp_path):
    _require("fish")
    nasty = _nasty_dir(tmp_path)
    second = tmp_path / "second bin"
    rc = tmp_path / "conf.d" / "pyshelf.fish"
    update_config_file(rc, render_block("fish", [nasty, second]))
    script = "source $argv[1]; source $argv[1]; string join : -- $PATH | string collect"
    out = _run_shell(["fish", "--no-config", "-c", script], rc, tmp_path)
    _assert_path(out.rstrip(b"\n"), [nasty, second], tmp_path)


def test_fish_block_does_not_touch_universal_variables(tmp_path):
    _require("fish")
    rc = tmp_path / "pyshelf.fish"
    update_config_file(rc, render_block("fish", [Path("/opt/x")]))
    script = ("source $argv[1]; set -U | string match -q '*fish_user_paths*'; "
              "and echo leaked; or true")
    out = _run_shell(["fish", "--no-config", "-c", script], rc, tmp_path)
    assert b"leaked" not in out


def test_bash_sources_block_appended_to_file_without_final_newline(tmp_path):
    _require("bash")
    rc = tmp_path / ".bashrc"
    rc.write_bytes(b"MARK=set")
    update_config_file(rc, render_block("bash", [Path("/opt/x")]))
    out = _run_shell(
        ["bash", "--norc", "--noprofile", "-c", '. "$1"; printf %s "$MARK $PATH"', "b"],
        rc,
        tmp_path,
    )
    assert out == b"set /opt/x:/usr/bin:/bin"
