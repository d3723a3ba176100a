"""What is wrong with a requirement the person typed, in plain words.

packaging's parser reports where its grammar stopped ("Expected semicolon (after name with
no version specifier) or end"), which is exact but names none of the usual slips: an
operator with no version, ``=`` for ``==``, a version with no operator, two packages in one
argument. Those are recognised here from the text itself; anything else gets the forms a
requirement takes.
"""

from __future__ import annotations

import re

_OPERATORS = ("===", "==", ">=", "<=", "~=", "!=", "<", ">")
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)?\s*(\[[^\]]*\]?)?\s*(.*)", re.DOTALL)
FORMS = "write it as pip would, such as 'name', 'name>=1.0' or 'name[extra]==1.0'"


def plain_reason(text: str, parser_said: str) -> str:
    """Why ``text`` is not a requirement; ``parser_said`` is packaging's message for it."""
    match = _NAME.fullmatch(text)
    name, extras, rest = (match.group(1) or "", match.group(2) or "", match.group(3)
                          ) if match else ("", "", text)
    example = name or "name"
    if extras and not extras.endswith("]"):
        return "its list of extras is not closed with ']'"
    if not name:
        return f"it does not start with a package name; {FORMS}"
    if not _is_valid_name(name):
        return ("a package name starts and ends with a letter or digit, with only letters, "
                "digits, '.', '-' and '_' between")
    if rest.startswith("@"):
        return f"'@' must be followed by a URL, such as '{example} @ https://...'"
    spec, marked, _ = rest.partition(";")
    spec = spec.strip()
    if spec.count("(") != spec.count(")"):
        return "its '(' is not closed with ')'"
    for clause in (part.strip() for part in spec.strip("()").split(",")):
        operator = next((op for op in _OPERATORS if clause.startswith(op)), None)
        version = clause[len(operator):].strip() if operator else ""
        if operator and not version:
            return f"'{operator}' needs a version after it, such as '{example}{operator}1.0'"
        if operator == "~=" and version.isdigit():
            return (f"'~=' needs a version with at least two parts, such as "
                    f"'{example}~={version}.0'")
    if spec.startswith("=") and not spec.startswith("=="):
        return (f"'=' is not a version operator; '{example}=={spec.lstrip('= ') or '1.0'}' "
                "asks for exactly that version")
    if spec[:1].isdigit():
        return f"a version needs an operator before it, such as '{example}=={spec.split()[0]}'"
    if spec and spec.split()[0].replace("-", "").replace("_", "").replace(".", "").isalnum():
        return "one argument holds one package; give each package as its own argument"
    if marked:
        return ("the environment marker after ';' is incomplete, such as "
                f"\"{example}; python_version >= '3.11'\"")
    if "version" in parser_said:
        return f"its version is not a valid version (PEP 440), such as '{example}==1.0.2'"
    return FORMS


def _is_valid_name(name: str) -> bool:
    from packaging.utils import InvalidName, canonicalize_name  # only a bad requirement asks

    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        return False
    return True
