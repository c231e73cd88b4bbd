"""Find installed ROS packages and resolve ``package://`` URIs without ``ament_index_python``.

ROS resolves ``package://NAME/rest`` to ``<share dir of NAME>/rest``. The share directory of a
package is ``<prefix>/share/NAME`` for the first prefix on ``AMENT_PREFIX_PATH`` that registers
NAME in its ament resource index (or, for packages that skip the index, holds ``share/NAME``).
``ament_index_python`` is not among the PyPI wheels, so this module does that lookup itself.

Makers' descriptions installed from PyPI live under two kinds of prefix: the venv itself
(``icub-models`` puts ``share/iCub``) and cmeel's prefix inside site-packages
(``example-robot-data`` puts ``cmeel.prefix/share/example-robot-data``). Both are searched after
``AMENT_PREFIX_PATH``.
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from pathlib import Path

from academy_description.errors import PackageNotFoundError

#: ``package://NAME/path``; also the malformed ``package:///NAME/path`` some URDFs carry (Talos).
_PACKAGE_URI = re.compile(r"^package:/{2,3}(?P<package>[^/]+)/(?P<path>.+)$")


def search_prefixes() -> list[Path]:
    """Install prefixes searched for packages, in order, without duplicates."""
    prefixes = [Path(p) for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    prefixes.append(Path(sys.prefix))
    prefixes.append(Path(sysconfig.get_paths()["purelib"]) / "cmeel.prefix")
    unique: list[Path] = []
    for prefix in prefixes:
        if prefix not in unique:
            unique.append(prefix)
    return unique


def package_share(package: str) -> Path:
    """The share directory of installed package ``package``.

    Raises:
        PackageNotFoundError: no prefix holds it (the message lists the prefixes searched).
    """
    prefixes = search_prefixes()
    for prefix in prefixes:
        marker = prefix / "share" / "ament_index" / "resource_index" / "packages" / package
        share = prefix / "share" / package
        if marker.is_file() and share.is_dir():
            return share
    for prefix in prefixes:  # packages installed without an ament index entry (icub-models)
        share = prefix / "share" / package
        if share.is_dir():
            return share
    searched = ", ".join(str(p) for p in prefixes)
    raise PackageNotFoundError(
        f"package {package!r} is not installed (searched the share/ directories of {searched}); "
        "install it (e.g. pip install example-robot-data) or add its prefix to AMENT_PREFIX_PATH"
    )


def is_package_uri(uri: str) -> bool:
    """Whether ``uri`` is a ``package://`` URI."""
    return _PACKAGE_URI.match(uri) is not None


def resolve_uri(uri: str, relative_to: Path | None = None) -> Path:
    """The file a mesh or description URI names: ``package://``, ``file://`` or a path.

    Relative paths are taken relative to ``relative_to`` (the referring file's directory).

    Raises:
        PackageNotFoundError: the URI names a package that is not installed.
    """
    match = _PACKAGE_URI.match(uri)
    if match:
        return package_share(match["package"]) / match["path"]
    if uri.startswith("package:"):
        raise PackageNotFoundError(f"{uri!r}: a package URI must read package://PACKAGE/PATH")
    path = Path(uri.removeprefix("file://"))
    if not path.is_absolute() and relative_to is not None:
        path = relative_to / path
    return path
