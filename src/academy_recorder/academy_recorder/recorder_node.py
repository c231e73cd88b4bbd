"""``recorder`` lifecycle node: one rosbag2 (MCAP) episode per skill attempt of one robot.

Subscribes (raw CDR, nothing deserialised) to the topics of ``topics_file`` and to
``skill_events``. ``ATTEMPT_START`` opens ``<output_dir>/<date>/<episode_id>/bag``; the instruction
that caused the goal (from ``/trainer/instructions``) is written first; every message published
until the matching ``ATTEMPT_END`` goes into the bag; then the bag is finalised, ``episode.json``
written and an EpisodeInfo published on ``/academy/episodes``. Which message belongs to which
episode, and how losses are counted per topic and publisher (``written + lost == published``),
is :mod:`academy_recorder.segmenter`'s business; this node is the ROS glue around it.

Lifecycle (``rclpy.lifecycle``; see ``academy_common.node_main`` for the contract):

* **configure**: reads the parameters, loads ``topics_file`` and the robot model, creates
  ``output_dir``, builds the type store and the segmenter; creates the EpisodeInfo publisher.
  Fails (stays unconfigured, reason logged) on a bad parameter, topics file or model.
* **activate**: creates the subscriptions and the segmenter's timer: recording starts. The
  subscriptions are drained every ``POLL_S`` by a thread of their own, oldest message first
  (:class:`academy_common.input_node.PolledInputs`: one wake-up per period, not per message).
* **deactivate**: finalises the open episode (marked interrupted; an episode whose end was
  received is finalised complete), destroys the subscriptions and the timer.
* **cleanup**: releases what configure created. **shutdown**: deactivate's finalising, then
  cleanup's releasing, from whatever state the node is in.
"""

from __future__ import annotations

import datetime
import importlib
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from ament_index_python.packages import get_package_share_directory
from rcl_interfaces.msg import ParameterDescriptor, ParameterType  # type: ignore[import-untyped]
from rclpy.lifecycle import Node as LifecycleNode
from rclpy.lifecycle import State, TransitionCallbackReturn
from rclpy.publisher import Publisher
from rclpy.qos import QoSProfile
from rclpy.serialization import deserialize_message
from rclpy.subscription import Subscription
from rclpy.timer import Timer

from academy_common.ids import new_id
from academy_common.input_node import PolledInputs
from academy_common.node_main import run_lifecycle_node
from academy_common.parameters import required_string
from academy_common.qos import INSTRUCTIONS_QOS, RELIABLE_QOS
from academy_control.controller_config import JOINT_STATE_BROADCASTER, load_controllers
from academy_description.canonical import canonical_mapping
from academy_description.model_registry import RobotModel, load_model
from academy_interfaces.msg import EpisodeInfo, Instruction, SkillEvent
from academy_recorder.episode_record import (
    EPISODE_SCHEMA_VERSION,
    EpisodeRecord,
    InstructionRecord,
    MetricRecord,
    ParameterValue,
    PublisherStats,
    RecorderError,
    TopicStats,
)
from academy_recorder.episode_writer import (
    BAG_DIR,
    EpisodeRecording,
    TopicSpec,
    build_typestore,
    close_episode,
    open_episode,
)
from academy_recorder.segmenter import (
    DEFAULT_GRACE_NS,
    AttemptEvent,
    CloseEpisode,
    Decision,
    EventKind,
    LossOutsideEpisodes,
    MissedAttemptStart,
    OpenEpisode,
    Sample,
    Segmenter,
    TopicTally,
    WriteMessage,
)
from academy_skills.skill_library import outcome_name

SKILL_EVENTS_TYPE = "academy_interfaces/msg/SkillEvent"
INSTRUCTIONS_TOPIC = "/trainer/instructions"
INSTRUCTION_TYPE = "academy_interfaces/msg/Instruction"
#: How often the segmenter is told the time (ends closing episodes, settles kept-back messages):
#: on a received message once TICK_S has passed, and from a timer every IDLE_TICK_S when nothing
#: arrives (a timer at TICK_S woke the executor 20 times a second per recorder: on a fleet host,
#: a third of a kinematic robot's cost).
TICK_S = 0.05
#: Seconds between two drains of the recorded subscriptions: 2 messages of a 100 Hz topic, of
#: the 100 their history holds (RELIABLE_QOS).
POLL_S = 0.02
IDLE_TICK_S = 0.5
_EVENT_KINDS = {
    SkillEvent.ATTEMPT_START: EventKind.ATTEMPT_START,
    SkillEvent.ATTEMPT_END: EventKind.ATTEMPT_END,
}


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


#: In a topics file name, stands for each of the robot's commanding controllers (trajectory and
#: hand controllers: they publish ``<controller>/commanded_trajectory``), whatever the model
#: names them (``left_gripper_controller`` on one, ``left_hand_controller`` on another).
CONTROLLER_PLACEHOLDER = "{controller}"


def expand_topics(
    topics: list[tuple[str, str]], controllers: Sequence[str]
) -> list[tuple[str, str]]:
    """``topics`` with each name holding ``{controller}`` repeated for every one of
    ``controllers``."""
    expanded = []
    for name, kind in topics:
        if CONTROLLER_PLACEHOLDER in name:
            expanded += [(name.replace(CONTROLLER_PLACEHOLDER, c), kind) for c in controllers]
        elif "{" in name or "}" in name:
            raise RecorderError(
                f"topic {name!r}: the only placeholder a topic name may hold is "
                f"{CONTROLLER_PLACEHOLDER}"
            )
        else:
            expanded.append((name, kind))
    return expanded


def commanding_controllers(model: RobotModel) -> list[str]:
    """The model's controllers that command joints (all but the joint state broadcaster)."""
    config = load_controllers(model.controllers_file, tuple(model.urdf.actuated_joints))
    return [n for n, kind in config.types.items() if kind != JOINT_STATE_BROADCASTER]


class RecorderNode(LifecycleNode):
    """Segments one robot's telemetry into episodes, one per skill attempt (see module docs)."""

    def __init__(self, **node_options: Any) -> None:
        """``node_options``: rclpy Node keyword arguments (a container passes its namespace,
        parameter overrides and ``use_global_arguments=False``)."""
        super().__init__("recorder", **node_options)
        # The recorded subscriptions live on a sibling node (``recorder_inputs``) that no
        # executor spins: a thread of its own drains them (academy_common.input_node), so that
        # neither this node's executor nor any other wakes for each 100 Hz message. The drain's
        # callbacks and this node's (the tick timer, transitions) run on different threads: the
        # segmenter and the open recordings are used under ``_segment_lock``.
        self._inputs = PolledInputs(self, POLL_S, self._receive)
        self._handlers: dict[str, Callable[[Segmenter, Sample], list[Decision]]] = {}
        self._segment_lock = threading.Lock()
        describe = ParameterDescriptor
        self.declare_parameter("robot_id", "", describe(description="default: the namespace"))
        self.declare_parameter("robot_model", "", describe(description="registry model name"))
        self.declare_parameter("output_dir", "", describe(description="episodes root directory"))
        self.declare_parameter("topics_file", "", describe(description="YAML list of topics"))
        self.declare_parameter("trainer_id", "", describe(description="trainer on duty"))
        self.declare_parameter(
            "hardware_plugin",
            "",
            describe(
                description="the robot's hardware plugin (the controller manager's); "
                "empty: the one its URDF names"
            ),
        )
        self.declare_parameter(
            "end_grace",
            DEFAULT_GRACE_NS * 1e-9,
            describe(
                description="s: how long an ended episode waits for messages published before "
                "its end (and a message waits for a start published before it)"
            ),
        )
        self.episodes_written = 0
        self.topics: list[TopicSpec] = []
        self.segmenter: Segmenter | None = None
        self._recordings: dict[int, EpisodeRecording] = {}
        self._recorded_subscriptions: list[Subscription[Any]] = []  # raw: serialized bytes
        self._tick_timer: Timer | None = None
        self._last_tick_ns = 0  # when the segmenter was last told the time (ns)
        self._episodes: Publisher[EpisodeInfo] | None = None

    # ------------------------------------------------------------------ lifecycle
    def on_configure(self, state: State) -> TransitionCallbackReturn:
        """Load parameters, topics and model; create the output directory and the segmenter."""
        try:
            robot_id = self.get_parameter("robot_id").get_parameter_value().string_value
            self.robot_id = robot_id or self.get_namespace().strip("/") or "robot"
            model = load_model(required_string(self, "robot_model"))
            self.model_name, self.manufacturer = model.name, model.manufacturer
            self.canonical = canonical_mapping(model).as_dict()
            plugin = self.get_parameter("hardware_plugin").get_parameter_value().string_value
            self.hardware = plugin or model.urdf.hardware_plugin
            self.output_dir = Path(required_string(self, "output_dir"))
            self.trainer_id = self.get_parameter("trainer_id").get_parameter_value().string_value
            grace = self.get_parameter("end_grace").get_parameter_value().double_value
            topics = expand_topics(
                load_topics(Path(required_string(self, "topics_file"))),
                commanding_controllers(model),
            )
            self.output_dir.mkdir(parents=True, exist_ok=True)
            share = Path(get_package_share_directory("academy_interfaces"))
            self.typestore = build_typestore([share])
        except Exception as error:  # every cause is the configuration's: say which, stay put
            self.get_logger().error(f"configure failed: {error}")
            return TransitionCallbackReturn.FAILURE
        self._data_topics = [TopicSpec(self.resolve_topic_name(n), k) for n, k in topics]
        self.events_topic = self.resolve_topic_name("skill_events")
        self.topics = [
            *self._data_topics,
            TopicSpec(self.events_topic, SKILL_EVENTS_TYPE),
            TopicSpec(INSTRUCTIONS_TOPIC, INSTRUCTION_TYPE),
        ]
        self.segmenter = Segmenter(
            [t.name for t in self._data_topics],
            self.events_topic,
            INSTRUCTIONS_TOPIC,
            grace_ns=int(grace * 1e9),
        )
        self._episodes = self.create_publisher(EpisodeInfo, "/academy/episodes", RELIABLE_QOS)
        self.get_logger().info(
            f"configured: {len(self.topics)} topics of {self.robot_id} into {self.output_dir}"
        )
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state: State) -> TransitionCallbackReturn:
        """Subscribe to every recorded topic and start the segmenter's timer."""
        for topic in self._data_topics:
            self._subscribe_raw(topic.name, topic.type, self._on_message)
        # These two steer the segmentation, and are recorded as received (raw): re-serialising a
        # message with rclpy can append padding bytes that other CDR readers refuse.
        self._subscribe_raw(self.events_topic, SKILL_EVENTS_TYPE, self._on_event)
        self._subscribe_raw(
            INSTRUCTIONS_TOPIC, INSTRUCTION_TYPE, self._on_instruction, INSTRUCTIONS_QOS
        )
        self._last_tick_ns = 0
        if self._tick_timer is None:
            self._tick_timer = self.create_timer(IDLE_TICK_S, self._on_tick)
        else:
            self._tick_timer.reset()
        self.get_logger().info("active: recording")
        return TransitionCallbackReturn.SUCCESS

    def on_deactivate(self, state: State) -> TransitionCallbackReturn:
        """Finalise the open episode (interrupted) and stop listening."""
        self._stop("the recorder was deactivated")
        return TransitionCallbackReturn.SUCCESS

    def on_cleanup(self, state: State) -> TransitionCallbackReturn:
        """Release what configure created."""
        self._release()
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state: State) -> TransitionCallbackReturn:
        """Finalise what is open, then release everything (from any state)."""
        self._stop("the recorder was shut down (SIGINT/SIGTERM)")
        self._release()
        return TransitionCallbackReturn.SUCCESS

    def _stop(self, why: str) -> None:
        if self.context.ok():
            self._inputs.drain()  # what arrived before the stop belongs to its episode
        with self._segment_lock:
            if self.segmenter is not None:
                self._apply(self.segmenter.interrupt(why))
        if not self.context.ok():
            return  # after SIGINT rclpy shut the context down: destroy_node releases the rest
        for subscription in self._recorded_subscriptions:
            self._inputs.unsubscribe(subscription)
        self._recorded_subscriptions.clear()
        if self._tick_timer is not None:
            # cancelled, not destroyed: an executor may be spinning on this node (a container)
            self._tick_timer.cancel()

    def _release(self) -> None:
        if self._episodes is not None and self.context.ok():
            self.destroy_publisher(self._episodes)
            self._episodes = None
        with self._segment_lock:
            self.segmenter = None
        self.topics = []

    def destroy_node(self) -> None:
        """Destroy the recorded subscriptions' sibling node with this one."""
        self._inputs.destroy()
        super().destroy_node()

    # ------------------------------------------------------------------ input
    def _subscribe_raw(
        self,
        topic: str,
        kind: str,
        handler: Callable[[Segmenter, Sample], list[Decision]],
        qos: QoSProfile = RELIABLE_QOS,
    ) -> None:
        package, _, name = kind.split("/")
        msg_type = getattr(importlib.import_module(f"{package}.msg"), name)
        self._handlers[topic] = handler
        self._recorded_subscriptions.append(self._inputs.subscribe(msg_type, topic, topic, qos))

    def _receive(self, topic: str, data: bytes, info: dict[str, Any]) -> None:
        with self._segment_lock:
            if self.segmenter is not None:
                self._take(topic, data, info, self._handlers[topic], self.segmenter)

    def _take(
        self,
        topic: str,
        data: bytes,
        info: Any,
        handler: Callable[[Segmenter, Sample], list[Decision]],
        segmenter: Segmenter,
    ) -> None:
        # Stamped with the middleware's receive time (as rosbag2 does), the node clock if unknown;
        # assigned to episodes by the publisher's write time (see academy_recorder.segmenter).
        received = info.get("received_timestamp") or time.time_ns()
        gid = info.get("publisher_gid") or {}
        sample = Sample(
            topic,
            bytes(data),
            received,
            info.get("source_timestamp") or received,
            bytes(gid.get("data", b"")) if isinstance(gid, dict) else b"",
            info.get("publication_sequence_number") or None,
        )
        self._apply(handler(segmenter, sample))
        if received - self._last_tick_ns >= TICK_S * 1e9:
            self._tick(segmenter)

    @staticmethod
    def _on_message(segmenter: Segmenter, sample: Sample) -> list[Decision]:
        return segmenter.sample(sample)

    @staticmethod
    def _on_instruction(segmenter: Segmenter, sample: Sample) -> list[Decision]:
        msg = deserialize_message(sample.data, Instruction)
        return segmenter.instruction(msg.instruction_id, sample, msg)

    @staticmethod
    def _on_event(segmenter: Segmenter, sample: Sample) -> list[Decision]:
        msg = deserialize_message(sample.data, SkillEvent)
        event = AttemptEvent(
            kind=_EVENT_KINDS.get(msg.event, EventKind.OTHER),
            goal_id=msg.goal_id,
            instruction_id=msg.instruction_id,
            skill=msg.skill,
            repetition=msg.repetition,
            phase=msg.phase,
            outcome=outcome_name(msg.outcome.value),
            reason=msg.reason,
            message=msg,
        )
        return segmenter.event(event, sample)

    def _on_tick(self) -> None:
        with self._segment_lock:
            if self.segmenter is not None:
                self._tick(self.segmenter)

    def _tick(self, segmenter: Segmenter) -> None:
        self._last_tick_ns = now = time.time_ns()
        self._apply(segmenter.tick(now))

    # ------------------------------------------------------------------ decisions
    def _apply(self, decisions: list[Decision]) -> None:
        for decision in decisions:
            if isinstance(decision, WriteMessage):
                self._recordings[decision.episode].write(
                    decision.topic, decision.stamp_ns, decision.data
                )
            elif isinstance(decision, OpenEpisode):
                date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
                episode_id = f"{self.robot_id}-{new_id()}"
                self._recordings[decision.episode] = open_episode(
                    self.output_dir,
                    date,
                    episode_id,
                    self.topics,
                    self.typestore,
                    decision.start_ns,
                )
                self.get_logger().info(
                    f"episode {episode_id} opened: {decision.start.skill} "
                    f"#{decision.start.repetition}"
                )
            elif isinstance(decision, CloseEpisode):
                self._close(decision)
            elif isinstance(decision, MissedAttemptStart):
                end = decision.end
                self.get_logger().error(
                    f"attempt {end.repetition} of goal {end.goal_id[:8]} ({end.skill}) ended "
                    f"unrecorded: its start was not received ({decision.missed} missed)"
                )
            elif isinstance(decision, LossOutsideEpisodes):
                after = (
                    f" (after episode {decision.after_episode} was finalised: its tail was not "
                    "checked within end_grace)"
                    if decision.after_episode is not None
                    else ""
                )
                self.get_logger().warn(
                    f"{decision.topic}: {decision.lost} message(s) of publisher "
                    f"{decision.publisher.hex()[:12]} lost between episodes{after}"
                )

    def _close(self, decision: CloseEpisode) -> None:
        recording = self._recordings.pop(decision.episode)
        start: SkillEvent = decision.start.message
        end: SkillEvent | None = decision.end.message if decision.end is not None else None
        complete = decision.complete
        outcome, reason = decision.outcome, decision.reason
        instruction: Instruction | None = decision.instruction
        record = EpisodeRecord(
            schema_version=EPISODE_SCHEMA_VERSION,
            episode_id=recording.episode_id,
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
            start_ns=recording.start_ns,
            end_ns=recording.last_ns,
            outcome=outcome,
            failure_reason=reason,
            ended_in_phase=decision.ended_in_phase,
            metrics=(
                {m.name: MetricRecord(value=m.value, unit=m.unit) for m in end.metrics}
                if complete and end
                else {}
            ),
            complete=complete,
            interrupted=decision.interrupted,
            host=socket.gethostname(),
            software={"academy": "0.1.0", "recorder": "academy_recorder/rosbags"},
            bag=BAG_DIR,
            topics={name: topic_stats(tally) for name, tally in decision.topics.items()},
            canonical=self.canonical,
            hardware=self.hardware,
        )
        path = close_episode(recording, record)
        self.episodes_written += 1
        info = EpisodeInfo()
        info.header.stamp = self.get_clock().now().to_msg()
        info.episode_id = recording.episode_id
        info.robot_id, info.model, info.manufacturer = (
            self.robot_id,
            self.model_name,
            self.manufacturer,
        )
        info.skill = start.skill
        if end is not None and complete:
            info.outcome = end.outcome
        info.reason = reason
        info.bag_path = str(recording.directory / BAG_DIR)
        info.metadata_path = str(path)
        info.message_count = record.message_count
        info.messages_lost = sum(record.messages_lost.values())
        info.complete = complete
        if self._episodes is not None and self.context.ok():
            self._episodes.publish(info)
        # A loss (a gap in a publisher's sequence numbers) is a warning: the hall must see it.
        log = self.get_logger().warn if info.messages_lost else self.get_logger().info
        log(
            f"episode {info.episode_id}: {start.skill} #{start.repetition} {outcome} "
            f"({info.message_count} messages, {info.messages_lost} lost)"
        )


def topic_stats(tally: TopicTally) -> TopicStats:
    """One topic's segmenter tally as the episode record's stats (per publisher GID, in hex)."""
    publishers = {
        gid.hex(): PublisherStats(published=t.published, written=t.received, lost=t.lost)
        for gid, t in tally.publishers.items()
        if gid
    }
    if len(publishers) != len(tally.publishers):
        publishers = {}  # an unidentified publisher: the topic's totals alone
    return TopicStats(
        published=tally.published,
        written=tally.received,
        lost=tally.lost,
        publishers=publishers,
    )


#: The field of ``rcl_interfaces/msg/ParameterValue`` that holds each scalar parameter type.
_SCALAR_FIELDS = {
    ParameterType.PARAMETER_BOOL: "bool_value",
    ParameterType.PARAMETER_INTEGER: "integer_value",
    ParameterType.PARAMETER_DOUBLE: "double_value",
    ParameterType.PARAMETER_STRING: "string_value",
}


def _parameter_value(parameter: Any) -> ParameterValue:
    """The scalar an ``rcl_interfaces/msg/Parameter`` holds (None if unset or an array)."""
    field_name = _SCALAR_FIELDS.get(parameter.value.type)
    scalar: ParameterValue = getattr(parameter.value, field_name) if field_name else None
    return scalar


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``recorder`` executable."""
    return run_lifecycle_node(RecorderNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
