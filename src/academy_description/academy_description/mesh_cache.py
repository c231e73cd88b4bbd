"""Prepare makers' meshes for MuJoCo, into a cache outside the repository.

MuJoCo reads binary STL, OBJ and MSH. Makers ship COLLADA (``.dae``) and sometimes ASCII STL.
Those are converted once with trimesh (pycollada reads COLLADA) into binary STL under the cache
directory; meshes MuJoCo reads as they are are used in place. trimesh applies COLLADA's node
transforms and unit but not its ``<up_axis>``: a ``Y_UP`` file is turned +90 degrees about x
here, as RViz's loader does, or the part comes out lying on its side.

The cache key is the source path, size and modification time plus :data:`CONVERTER_VERSION`,
so an upgraded package or converter re-converts and a second load converts nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from academy_description.errors import MeshPreparationError

#: Bump when the conversion changes: cached files from an older converter are not reused.
CONVERTER_VERSION = 1
_UP_AXIS = re.compile(rb"<up_axis>\s*(?P<axis>[XYZ]_UP)\s*</up_axis>")
#: Bytes of a binary STL header and of one triangle record.
_STL_HEADER = 84
_STL_TRIANGLE = 50


@dataclass(frozen=True)
class PreparedMesh:
    """A mesh MuJoCo can read, and what was done to get it (empty: used as it was)."""

    path: Path
    conversion: str = ""


def cache_dir() -> Path:
    """Where prepared meshes go: ``$ACADEMY_CACHE_DIR/meshes``, else the XDG cache."""
    root = os.environ.get("ACADEMY_CACHE_DIR")
    if root:
        return Path(root) / "meshes"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "academy" / "meshes"


def is_binary_stl(path: Path) -> bool:
    """Whether ``path`` is a binary STL: its size is what its triangle count says.

    The header may begin with ``solid`` (several makers' exporters write that), so the size is
    the test, not the first bytes.
    """
    size = path.stat().st_size
    if size < _STL_HEADER:
        return False
    with path.open("rb") as stream:
        stream.seek(80)
        count = int.from_bytes(stream.read(4), "little")
    return size == _STL_HEADER + _STL_TRIANGLE * count


def collada_up_axis(path: Path) -> str:
    """The ``<up_axis>`` of a COLLADA file (``Y_UP`` when absent, as the standard says)."""
    with path.open("rb") as stream:
        head = stream.read(8192)
    match = _UP_AXIS.search(head)
    return match["axis"].decode() if match else "Y_UP"


def prepare_mesh(path: Path, directory: Path | None = None) -> PreparedMesh:
    """A MuJoCo-readable version of mesh ``path`` (converted into the cache if needed).

    Raises:
        MeshPreparationError: the file is missing, unreadable or of a format nobody converts.
    """
    if not path.is_file():
        raise MeshPreparationError(f"mesh {path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".obj", ".msh") or (suffix == ".stl" and is_binary_stl(path)):
        return PreparedMesh(path)
    up_axis = "Z_UP"
    if suffix == ".stl":
        conversion = "ASCII STL -> binary STL"
    elif suffix == ".dae":
        up_axis = collada_up_axis(path)
        conversion = "COLLADA -> binary STL" + (
            f" ({up_axis} turned to Z_UP)" if up_axis != "Z_UP" else ""
        )
    else:
        raise MeshPreparationError(
            f"mesh {path}: format {path.suffix!r} is not supported; valid: .stl, .obj, .msh, .dae"
        )
    stat = path.stat()
    key = hashlib.sha256(
        f"{CONVERTER_VERSION}:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    ).hexdigest()[:20]
    out_dir = directory or cache_dir()
    target = out_dir / f"{path.stem}-{key}.stl"
    if not target.is_file():
        _convert(path, target, up_axis)
    return PreparedMesh(target, conversion)


#: Rotations that turn a COLLADA file's up axis into z: +90 deg about x for Y_UP (y -> z),
#: -90 deg about y for X_UP (x -> z).
_TO_Z_UP = {
    "Y_UP": [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]],
    "X_UP": [[0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]],
}


def _convert(source: Path, target: Path, up_axis: str) -> None:
    import numpy as np
    import trimesh  # imported lazily: only models with COLLADA / ASCII STL meshes need it

    try:
        mesh = trimesh.load(str(source), force="mesh")
    except Exception as error:  # trimesh raises many types; the caller needs one
        raise MeshPreparationError(f"mesh {source}: trimesh cannot read it: {error}") from error
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        raise MeshPreparationError(f"mesh {source}: holds no triangles")
    turn = _TO_Z_UP.get(up_axis)
    if turn is not None:
        transform = np.eye(4)
        transform[:3, :3] = turn
        mesh.apply_transform(transform)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    mesh.export(str(partial), file_type="stl")
    partial.replace(target)  # atomic: a concurrent loader never sees half a file
