"""Each usual slip in a typed requirement is named in plain words, never in the parser's."""

from __future__ import annotations

import pytest

from pyshelf.core.specs import parse_requirement
from pyshelf.errors import UsageError


@pytest.mark.parametrize(("typed", "reason"), [
    ("requests>=", "'>=' needs a version after it, such as 'requests>=1.0'"),
    ("requests>=1.0,<", "'<' needs a version after it, such as 'requests<1.0'"),
    ("black[d]==", "'==' needs a version after it, such as 'black==1.0'"),
    ("requests~=1", "'~=' needs a version with at least two parts, such as 'requests~=1.0'"),
    ("requests=2.0", "'=' is not a version operator; 'requests==2.0' asks for exactly that "
                     "version"),
    ("requests 2.0", "a version needs an operator before it, such as 'requests==2.0'"),
    ("foo bar", "one argument holds one package; give each package as its own argument"),
    ("requests[socks", "its list of extras is not closed with ']'"),
    ("requests (>=1.0", "its '(' is not closed with ')'"),
    ("req @", "'@' must be followed by a URL, such as 'req @ https://...'"),
    ("req; python_version >", "the environment marker after ';' is incomplete, such as "
                              "\"req; python_version >= '3.11'\""),
    ("a==1.0.0abc", "its version is not a valid version (PEP 440), such as 'a==1.0.2'"),
    ("foo_", "a package name starts and ends with a letter or digit, with only letters, "
             "digits, '.', '-' and '_' between"),
])
def test_the_slip_is_named(typed, reason):
    with pytest.raises(UsageError) as refused:
        parse_requirement(typed)

    assert refused.value.message == f"'{typed}' is not a valid requirement: {reason}."
    assert "Expected" not in refused.value.message
