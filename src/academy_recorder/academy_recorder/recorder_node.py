"""``recorder`` node: one rosbag2 (MCAP) episode per skill attempt of one robot.

Subscribes (raw CDR, nothing deserialised) to the topics of ``topics_file`` and to
``skill_events``. ``ATTEMPT_START`` opens ``<output_dir>/<date>/<episode_id>/bag``; the instruction
that caused the goal (from ``/trainer/instructions``) is written first; every message until the
matching ``ATTEMPT_END`` goes into the bag; then the bag is finalised, ``episode.json`` written and
an EpisodeInfo published on ``/academy/episodes``. Messages the middleware reports lost are
counted per topic. On SIGINT/SIGTERM an open episode is finalised and marked interrupted.
"""

from __future__ import annotations

import datetime
import importlib
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ament_index_python.packages import get_package_share_directory
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.event_handler import SubscriptionEventCallbacks
from rclpy.node import Node
from rclpy.qos import QoSProfile
from rclpy.serialization import deserialize_message

from academy_common.ids import new_id
from academy_common.node_main import run_node
from academy_common.parameters import required_string
from academy_common.qos import INSTRUCTIONS_QOS, RELIABLE_QOS
from academy_description.model_registry import load_model
from academy_interfaces.msg import EpisodeInfo, Instruction, SkillEvent
from academy_recorder.episode_record import (
    EPISODE_SCHEMA_VERSION,
    EpisodeRecord,
    InstructionRecord,
    MetricRecord,
)
from academy_recorder.episode_writer import (
    BAG_DIR,
    EpisodeRecording,
    RecorderError,
    SequenceGaps,
    TopicSpec,
    build_typestore,
    close_episode,
    open_episode,
)
from academy_skills.skill_library import outcome_name

SKILL_EVENTS_TYPE = "academy_interfaces/msg/SkillEvent"
INSTRUCTIONS_TOPIC = "/trainer/instructions"
INSTRUCTION_TYPE = "academy_interfaces/msg/Instruction"


@dataclass
class _Open:
    recording: EpisodeRecording
    event: SkillEvent
    instruction: Instruction | None


def load_topics(path: Path) -> list[tuple[str, str]]:
    """``topics_file``: ``topics: [{name: relative/or/absolute, type: pkg/msg/Type}, ...]``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("topics")
    if not isinstance(entries, list) or not entries:
        raise RecorderError(f"{path}: topics: a non-empty list of {{name, type}} is required")
    topics = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"name", "type"}:
            raise RecorderError(f"{path}: topics[{index}]: {entry!r}: needs exactly name and type")
        if entry["type"].count("/") != 2:
            raise RecorderError(
                f"{path}: topics[{index}].type: {entry['type']!r}: expected pkg/msg/Type"
            )
        topics.append((str(entry["name"]), str(entry["type"])))
    return topics


class RecorderNode(Node):
    """Segments one robot's telemetry into episodes, one per skill attempt."""

    def __init__(self) -> None:
        super().__init__("recorder")
        describe = ParameterDescriptor
        self.declare_parameter("robot_id", "", describe(description="default: the namespace"))
        self.declare_parameter("robot_model", "", describe(description="registry model name"))
        self.declare_parameter("output_dir", "", describe(description="episodes root directory"))
        self.declare_parameter("topics_file", "", describe(description="YAML list of topics"))
        self.declare_parameter("trainer_id", "", describe(description="trainer on duty"))
        robot_id = self.get_parameter("robot_id").get_parameter_value().string_value
        self.robot_id = robot_id or self.get_namespace().strip("/") or "robot"
        model = load_model(required_string(self, "robot_model"))
        self.model_name, self.manufacturer = model.name, model.manufacturer
        self.output_dir = Path(required_string(self, "output_dir"))
        self.trainer_id = self.get_parameter("trainer_id").get_parameter_value().string_value
        self.typestore = build_typestore([Path(get_package_share_directory("academy_interfaces"))])
        self._instructions: dict[str, tuple[Instruction, bytes, int]] = {}
        self._open: _Open | None = None
        self._gaps = SequenceGaps()
        self.episodes_written = 0
        self.attempts_missed = 0
        self.topics: list[TopicSpec] = []
        for name, kind in load_topics(Path(required_string(self, "topics_file"))):
            full = self.resolve_topic_name(name)
            self.topics.append(TopicSpec(full, kind))
            self._subscribe_raw(full, kind, self._on_message)
        self.events_topic = self.resolve_topic_name("skill_events")
        self.topics += [
            TopicSpec(self.events_topic, SKILL_EVENTS_TYPE),
            TopicSpec(INSTRUCTIONS_TOPIC, INSTRUCTION_TYPE),
        ]
        # These two steer the segmentation, and are recorded as received (raw): re-serialising a
        # message with rclpy can append padding bytes that other CDR readers refuse.
        self._subscribe_raw(self.events_topic, SKILL_EVENTS_TYPE, self._on_event)
        self._subscribe_raw(
            INSTRUCTIONS_TOPIC, INSTRUCTION_TYPE, self._on_instruction, INSTRUCTIONS_QOS
        )
        self._episodes = self.create_publisher(EpisodeInfo, "/academy/episodes", RELIABLE_QOS)
        self.get_logger().info(
            f"recording {len(self.topics)} topics of {self.robot_id} into {self.output_dir}"
        )

    def _subscribe_raw(
        self,
        topic: str,
        kind: str,
        handler: Callable[[str, bytes, int], None],
        qos: QoSProfile = RELIABLE_QOS,
    ) -> None:
        package, _, name = kind.split("/")
        msg_type = getattr(importlib.import_module(f"{package}.msg"), name)
        events = SubscriptionEventCallbacks(
            message_lost=lambda info, t=topic: self._on_lost(t, info.total_count_change)
        )
        self.create_subscription(
            msg_type,
            topic,
            lambda data, info, t=topic: self._receive(t, data, info, handler),
            qos,
            raw=True,
            event_callbacks=events,
        )

    def _receive(
        self, topic: str, data: bytes, info: Any, handler: Callable[[str, bytes, int], None]
    ) -> None:
        # Record when the middleware received it (as rosbag2 does); the node clock if unknown.
        handler(topic, data, info.get("received_timestamp") or self._now_ns())
        if self._open is not None:
            gid = info.get("publisher_gid") or {}
            publisher = bytes(gid.get("data", b"")) if isinstance(gid, dict) else b""
            lost = self._gaps.observe(topic, publisher, info.get("publication_sequence_number"))
            if lost:
                self._open.recording.count_lost(topic, lost)

    def _now_ns(self) -> int:
        return int(self.get_clock().now().nanoseconds)

    def _on_message(self, topic: str, data: bytes, stamp: int) -> None:
        if self._open is not None:
            self._open.recording.write(topic, stamp, data)

    def _on_lost(self, topic: str, count: int) -> None:
        # Counted from sequence gaps (see _receive); the event only makes the loss visible now.
        self.get_logger().warn(f"{topic}: middleware reports {count} message(s) lost")

    def _on_instruction(self, topic: str, data: bytes, stamp: int) -> None:
        msg = deserialize_message(data, Instruction)
        self._instructions[msg.instruction_id] = (msg, data, stamp)
        current = self._open
        if (
            current is not None
            and current.instruction is None
            and current.event.instruction_id == msg.instruction_id
        ):  # it came in after the attempt started (another topic, no ordering across topics)
            current.recording.write(INSTRUCTIONS_TOPIC, stamp, data)
            current.instruction = msg
        while len(self._instructions) > 1000:  # keep memory bounded on long sessions
            self._instructions.pop(next(iter(self._instructions)))

    def _on_event(self, topic: str, data: bytes, now: int) -> None:
        msg = deserialize_message(data, SkillEvent)
        if msg.event == SkillEvent.ATTEMPT_START:
            if self._open is not None:
                self._close("a new attempt started before this one ended", msg, complete=False)
            self._start(msg, now)
        if self._open is None:
            if msg.event == SkillEvent.ATTEMPT_END:
                # Its ATTEMPT_START never arrived (the recorder was not listening yet): say so,
                # a missing episode must never go unnoticed.
                self.attempts_missed += 1
                self.get_logger().error(
                    f"attempt {msg.repetition} of goal {msg.goal_id[:8]} ({msg.skill}) ended "
                    f"unrecorded: its start was not received ({self.attempts_missed} missed)"
                )
            return
        self._open.recording.write(self.events_topic, now, data)
        if msg.event == SkillEvent.ATTEMPT_END and msg.goal_id == self._open.event.goal_id:
            self._close("", msg, complete=True)

    def _start(self, event: SkillEvent, now: int) -> None:
        date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
        episode_id = f"{self.robot_id}-{new_id()}"
        recording = open_episode(
            self.output_dir, date, episode_id, self.topics, self.typestore, now
        )
        instruction = None
        if event.instruction_id in self._instructions:
            instruction, raw, stamp = self._instructions[event.instruction_id]
            recording.write(INSTRUCTIONS_TOPIC, stamp, raw)
        self._open = _Open(recording, event, instruction)
        self._gaps.restart()

    def _close(self, interruption: str, end: SkillEvent | None, complete: bool) -> None:
        assert self._open is not None
        current, self._open = self._open, None
        start = current.event
        outcome = outcome_name(end.outcome.value) if complete and end else "UNKNOWN"
        reason = end.reason if complete and end else f"recording interrupted: {interruption}"
        instruction = current.instruction
        record = EpisodeRecord(
            schema_version=EPISODE_SCHEMA_VERSION,
            episode_id=current.recording.episode_id,
            robot_id=self.robot_id,
            model=self.model_name,
            manufacturer=self.manufacturer,
            skill=start.skill,
            parameters={p.name: _parameter_value(p) for p in start.parameters},
            goal_id=start.goal_id,
            repetition=start.repetition,
            repetitions=start.repetitions,
            instruction=InstructionRecord(
                instruction_id=start.instruction_id,
                text=instruction.text if instruction else "",
                source="trainer" if instruction else "program",
                trainer_id=(instruction.trainer_id if instruction else "") or self.trainer_id,
            ),
            start_ns=current.recording.start_ns,
            end_ns=current.recording.last_ns,
            outcome=outcome,
            failure_reason=reason,
            ended_in_phase="",
            metrics=(
                {m.name: MetricRecord(value=m.value, unit=m.unit) for m in end.metrics}
                if complete and end
                else {}
            ),
            complete=complete,
            interrupted=end is None,
            host=socket.gethostname(),
            software={"academy": "0.1.0", "recorder": "academy_recorder/rosbags"},
            bag=BAG_DIR,
            topics=current.recording.topic_stats(),
        )
        path = close_episode(current.recording, record)
        self.episodes_written += 1
        info = EpisodeInfo()
        info.header.stamp = self.get_clock().now().to_msg()
        info.episode_id = current.recording.episode_id
        info.robot_id, info.model, info.manufacturer = (
            self.robot_id,
            self.model_name,
            self.manufacturer,
        )
        info.skill = start.skill
        if end is not None and complete:
            info.outcome = end.outcome
        info.reason = reason
        info.bag_path = str(current.recording.directory / "bag")
        info.metadata_path = str(path)
        info.message_count = sum(c.written for c in current.recording.counts.values())
        info.messages_lost = sum(c.lost for c in current.recording.counts.values())
        info.complete = complete
        self._episodes.publish(info)
        self.get_logger().info(
            f"episode {info.episode_id}: {start.skill} #{start.repetition} {outcome} "
            f"({info.message_count} messages, {info.messages_lost} lost)"
        )

    def destroy_node(self) -> None:
        """Finalise an open episode (SIGINT/SIGTERM) before leaving."""
        if self._open is not None:
            self._close("the recorder was stopped (SIGINT/SIGTERM)", None, complete=False)
        super().destroy_node()


def _parameter_value(parameter: Any) -> object:
    value = parameter.value
    for field_name in ("string_value", "double_value", "integer_value", "bool_value"):
        kind = {"bool_value": 1, "integer_value": 2, "double_value": 3, "string_value": 4}
        if value.type == kind[field_name]:
            return getattr(value, field_name)
    return None


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``recorder`` executable."""
    return run_node(RecorderNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
