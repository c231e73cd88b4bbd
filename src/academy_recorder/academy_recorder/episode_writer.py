"""Episodes on disk: a rosbag2 directory (``metadata.yaml`` + ``.mcap``) and ``episode.json``.

Layout (ARCHITECTURE.md §5)::

    <root>/<YYYY-MM-DD>/<episode_id>/
        bag/metadata.yaml  bag/bag_0.mcap   (written with rosbags, readable by ros2 bag)
        episode.json                         (who, what, outcome, counts, losses)

Messages arrive already CDR-serialised (the recorder subscribes raw), so writing is a copy. The
writer refuses to overwrite an existing episode. ``episode.json`` (an
:class:`~academy_recorder.episode_record.EpisodeRecord`) is written last, atomically: an episode
directory without it is unfinished (the recorder was killed) and is never ingested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rosbags.rosbag2 import StoragePlugin, Writer
from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

from academy_recorder.episode_record import (
    EPISODE_FILE,
    EpisodeRecord,
    RecorderError,
    TopicStats,
    write_episode_record,
)

BAG_DIR = "bag"


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
    (topic, publisher) for as long as the recorder runs: the segmenter never restarts it at an
    episode boundary, so a gap across a boundary is seen like any other
    (``academy_recorder.segmenter`` decides which episode it belongs to). The first number seen
    from a publisher is its baseline (what it sent before the recorder matched it is no loss).
    """

    def __init__(self) -> None:
        self._last: dict[tuple[str, bytes], int] = {}

    def restart(self) -> None:
        """Forget every publisher's last sequence number (the recorder lost track of them all)."""
        self._last.clear()

    def last(self, topic: str, publisher: bytes) -> int | None:
        """The highest number accounted for of ``publisher`` on ``topic`` (None: never seen)."""
        return self._last.get((topic, publisher))

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

    def lost_before(self, topic: str, publisher: bytes, sequence: int) -> int:
        """Account for every number below ``sequence`` (not ``sequence`` itself); return how many
        of them were never seen. A later :meth:`observe` of ``sequence`` then returns 0."""
        key = (topic, publisher)
        last = self._last.get(key)
        if last is not None and sequence - 1 <= last:
            return 0
        self._last[key] = max(sequence - 1, 0)
        return 0 if last is None else sequence - 1 - last


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

    def topic_stats(self) -> dict[str, TopicStats]:
        """Per-topic written/lost/published so far, for :class:`EpisodeRecord` ``topics``."""
        return {
            name: TopicStats(published=c.written + c.lost, written=c.written, lost=c.lost)
            for name, c in self.counts.items()
        }


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


def close_episode(recording: EpisodeRecording, record: EpisodeRecord) -> Path:
    """Finalise the bag (writes ``metadata.yaml``), then write ``record`` as ``episode.json``.

    ``record`` must describe this recording: its ``episode_id``, ``bag`` (:data:`BAG_DIR`) and
    per-topic ``written`` counts are checked against it, so a record cannot claim messages the
    bag does not hold (``lost``/``published`` are the caller's loss accounting).

    Returns:
        The path of ``episode.json``.

    Raises:
        RecorderError: ``record`` does not match the recording (the bag is still finalised).
        EpisodeRecordExistsError: ``episode.json`` exists already (never overwritten).
    """
    recording.writer.close()
    written = {name: c.written for name, c in recording.counts.items()}
    problems = []
    if record.episode_id != recording.episode_id:
        problems.append(f"episode_id: {record.episode_id!r}: must be {recording.episode_id!r}")
    if record.bag != BAG_DIR:
        problems.append(f"bag: {record.bag!r}: must be {BAG_DIR!r}")
    if record.message_counts != written:
        problems.append(
            f"topics: written {record.message_counts}: must be what the bag holds, {written}"
        )
    if problems:
        raise RecorderError(f"{recording.directory}: " + "; ".join(problems))
    path = recording.directory / EPISODE_FILE
    write_episode_record(path, record)
    return path
