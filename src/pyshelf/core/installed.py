"""What each installed distribution is to the shelf, as the database records it.

Shared by every place that records an environment: a change, an isolated app's build, and a
database rebuilt from the generations on disk.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyshelf.core.graph import Distribution
from pyshelf.core.model import InstalledPackage, IntentEntry, Lock, explicit_names


def package_records(distributions: Sequence[Distribution], intent: Sequence[IntentEntry],
                    lock: Lock, previous: dict[str, InstalledPackage], when: str,
                    reinstalled: Sequence[str] = ()) -> list[InstalledPackage]:
    """What each installed distribution is to the shelf: explicit or a dependency, where it
    came from, and since when this version has been installed (kept from ``previous``)."""
    explicit = explicit_names(intent)
    kinds = {e.name: e.kind for e in intent}
    records = []
    for dist in distributions:
        before = previous.get(dist.name)
        unchanged = before and before.version == dist.version and dist.name not in reinstalled
        locked = lock.packages.get(dist.name)
        source = kinds.get(dist.name) or ("url" if locked and locked.url else "index")
        records.append(InstalledPackage(
            name=dist.name, display_name=dist.display_name, version=dist.version,
            is_explicit=dist.name in explicit, source=source,
            installed_at=before.installed_at if before and unchanged else when,
        ))
    return records
