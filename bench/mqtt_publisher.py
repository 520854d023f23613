"""The MQTT benchmark's publisher, in its own process as gateways are in production, so the subscriber
being measured does not share its interpreter (and GIL) with the load it is measured under.

`python -m bench.mqtt_publisher MQTT_URL READINGS_CSV`: connects, prints `ready`, waits for a line on stdin,
publishes every reading (sensor_id, observed_at as naive UTC ISO 8601, value) at QoS 1, waits until the
broker has acknowledged them all, and prints `published N in S s`.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime

import orjson
import paho.mqtt.client as mqtt
import pandas as pd
from paho.mqtt.enums import CallbackAPIVersion

from data.ingest.mqtt import parse_mqtt_url, topic_for


def _payload(observed_at: str, value: float) -> bytes:
    """What `ObservationPublisher.publish` sends for a naive UTC time."""
    moment = datetime.fromisoformat(observed_at).replace(tzinfo=UTC)
    return orjson.dumps({"observed_at": moment.isoformat(), "value": value})


def main(argv: list[str]) -> int:
    """Publish from this thread and drive paho's loop here too: no network thread, no wake-up per message,
    so one process outpaces the subscriber it loads (as several gateways would)."""
    mqtt_url, path = argv
    frame = pd.read_csv(path, dtype={"sensor_id": str, "observed_at": str, "value": float})
    messages = [(topic_for(s), _payload(t, v)) for s, t, v in frame.itertuples(index=False, name=None)]
    address = parse_mqtt_url(mqtt_url)
    client_id = f"bench-pub-{uuid.uuid4().hex[:8]}"
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1_000)
    client.max_queued_messages_set(0)
    client.connect(address.host, address.port, keepalive=60)
    while not client.is_connected():
        client.loop(0.05)
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    for i, (topic, payload) in enumerate(messages):
        client.publish(topic, payload, qos=1)
        if i % 200 == 0:
            client.loop(0)  # read the broker's acknowledgements, send what waited for a free slot
    deadline = time.monotonic() + 120
    while client._out_messages and time.monotonic() < deadline:  # noqa: SLF001 - paho has no public flush
        client.loop(0.01)
    print(f"published {len(messages)} in {time.perf_counter() - start:.2f} s", flush=True)
    client.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
