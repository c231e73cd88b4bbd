"""Episodes on disk: a rosbag2 directory (``metadata.yaml`` + ``.mcap``) and ``episode.json``.

Layout (ARCHITECTURE.md §5)::

    <root>/<YYYY-MM-DD>/<episode_id>/
        bag/metadata.yaml  bag/bag_0.mcap   (written with rosbags, readable by ros2 bag)
        episode.json                         (who, what, outcome, counts, losses)

Messages arrive already CDR-serialised (the recorder subscribes raw), so writing is a copy. The
writer refuses to overwrite an existing episode. ``episode.json`` is written last, atomically:
an episode directory without it is unfinished (the recorder was killed) and is never ingested.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rosbags.rosbag2 import StoragePlugin, Writer
from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

EPISODE_FILE = "episode.json"
BAG_DIR = "bag"
#: Version of the episode.json schema (bump when fields change meaning).
EPISODE_SCHEMA = 1


class RecorderError(Exception):
    """Base class of academy_recorder's errors."""


@dataclass(frozen=True)
class TopicSpec:
    """A topic to record: fully qualified name and ROS type (``pkg/msg/Type``)."""

    name: str
    type: str


def build_typestore(interface_dirs: Iterable[Path]) -> Typestore:
    """Kilted's standard types plus every ``.msg`` found under ``<pkg>/msg`` in ``interface_dirs``.

    Each entry of ``interface_dirs`` is a package share directory (its name is the package).
    """
    store = get_typestore(Stores.ROS2_KILTED)
    types: dict[str, Any] = {}
    for share in interface_dirs:
        for msg_file in sorted((share / "msg").glob("*.msg")):
            name = f"{share.name}/msg/{msg_file.stem}"
            types.update(get_types_from_msg(msg_file.read_text(encoding="utf-8"), name))
    store.register(types)
    return store


class SequenceGaps:
    """Counts messages lost between publisher and recorder from publication sequence numbers.

    DDS numbers each publisher's samples 1, 2, 3, ...; a jump from n to n + k means k - 1 samples
    never arrived (dropped by a full history, the network, or a slow reader). Tracked per
    (topic, publisher); :meth:`restart` forgets the history, so an episode only counts gaps
    between messages it received itself.
    """

    def __init__(self) -> None:
        self._last: dict[tuple[str, bytes], int] = {}

    def restart(self) -> None:
        """Forget every publisher's last sequence number (a new episode starts)."""
        self._last.clear()

    def observe(self, topic: str, publisher: bytes, sequence: int | None) -> int:
        """Record one message; return how many messages before it were lost (0 if none)."""
        if sequence is None or sequence <= 0:
            return 0  # the middleware does not number samples: nothing to check
        key = (topic, publisher)
        last = self._last.get(key)
        self._last[key] = max(sequence, last or 0)
        if last is None or sequence <= last:
            return 0
        return sequence - last - 1


@dataclass
class TopicCounts:
    """Per-topic bookkeeping of one episode."""

    written: int = 0
    lost: int = 0


@dataclass
class EpisodeRecording:
    """One open episode: its bag writer and counters."""

    episode_id: str
    directory: Path
    writer: Writer
    connections: dict[str, Any]
    counts: dict[str, TopicCounts] = field(default_factory=dict)
    start_ns: int = 0
    last_ns: int = 0

    def write(self, topic: str, timestamp_ns: int, data: bytes | memoryview) -> None:
        """Append one serialised message (``topic`` must be one of the episode's topics)."""
        self.writer.write(self.connections[topic], timestamp_ns, data)
        self.counts[topic].written += 1
        self.last_ns = max(self.last_ns, timestamp_ns)

    def count_lost(self, topic: str, lost: int) -> None:
        """Record ``lost`` messages the middleware reported lost on ``topic``."""
        self.counts[topic].lost += lost


def open_episode(
    root: Path,
    date: str,
    episode_id: str,
    topics: Iterable[TopicSpec],
    typestore: Typestore,
    start_ns: int,
) -> EpisodeRecording:
    """Create ``<root>/<date>/<episode_id>/bag`` and open its MCAP writer.

    Raises:
        RecorderError: the episode directory exists already (never overwritten).
    """
    directory = root / date / episode_id
    if directory.exists():
        raise RecorderError(f"{directory}: episode exists already; refusing to overwrite it")
    directory.mkdir(parents=True)
    writer = Writer(directory / BAG_DIR, version=9, storage_plugin=StoragePlugin.MCAP)
    writer.open()
    connections = {}
    counts = {}
    for topic in topics:
        connections[topic.name] = writer.add_connection(topic.name, topic.type, typestore=typestore)
        counts[topic.name] = TopicCounts()
    return EpisodeRecording(episode_id, directory, writer, connections, counts, start_ns, start_ns)


def close_episode(recording: EpisodeRecording, metadata: Mapping[str, Any]) -> Path:
    """Finalise the bag (writes ``metadata.yaml``) and then ``episode.json``; return its path."""
    recording.writer.close()
    document = {
        "schema": EPISODE_SCHEMA,
        "episode_id": recording.episode_id,
        **metadata,
        "bag": BAG_DIR,
        "message_counts": {t: c.written for t, c in recording.counts.items()},
        "messages_lost": {t: c.lost for t, c in recording.counts.items()},
        "message_count": sum(c.written for c in recording.counts.values()),
    }
    path = recording.directory / EPISODE_FILE
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path
