"""The Feast peer of `bench/features.rs`: Feast's Redis online store on the
same Redis, the same number of entities and features, timed with
`get_online_features` (single entity and batches of 100).

Usage: feast_peer.py REDIS_URL USERS FEATURES ROUNDS (run by the Rust
benchmark; the Python comes from bench/feast_peer.sh).
"""

import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import numpy as np
import pandas as pd
from feast import Entity, FeatureStore, FeatureView, Field, FileSource
from feast.types import Float64
from feast.value_type import ValueType


def main():
    url, users, features, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    parsed = urlparse(url)
    repo = tempfile.mkdtemp(prefix="feast-peer-")
    with open(os.path.join(repo, "feature_store.yaml"), "w") as f:
        f.write(
            "project: finsight_bench\n"
            f"registry: {repo}/registry.db\n"
            "provider: local\n"
            "entity_key_serialization_version: 3\n"
            "online_store:\n"
            "  type: redis\n"
            f"  connection_string: {parsed.hostname}:{parsed.port or 6379}\n"
        )
    now = datetime.now(timezone.utc)
    rng = np.random.default_rng(7)
    names = [f"f{i:03d}" for i in range(features)]
    frame = pd.DataFrame(rng.random((users, features)), columns=names)
    frame.insert(0, "user_id", [f"user-{u}" for u in range(users)])
    frame["event_timestamp"] = now - timedelta(minutes=1)
    path = os.path.join(repo, "users.parquet")
    frame.to_parquet(path)
    user = Entity(name="user", join_keys=["user_id"], value_type=ValueType.STRING)
    view = FeatureView(
        name="bench_user",
        entities=[user],
        ttl=timedelta(days=400),
        schema=[Field(name=n, dtype=Float64) for n in names],
        source=FileSource(path=path, timestamp_field="event_timestamp"),
        online=True,
    )
    store = FeatureStore(repo_path=repo)
    store.apply([user, view])
    store.write_to_online_store("bench_user", frame)
    refs = [f"bench_user:{n}" for n in names]
    for u in range(50):
        store.get_online_features(features=refs, entity_rows=[{"user_id": f"user-{u}"}]).to_dict()
    single = []
    for i in range(rounds):
        row = [{"user_id": f"user-{(i * 7919) % users}"}]
        started = time.perf_counter()
        answer = store.get_online_features(features=refs, entity_rows=row).to_dict()
        single.append(time.perf_counter() - started)
        assert answer["f000"][0] is not None
    batch = []
    for i in range(max(rounds // 10, 1)):
        start = (i * 101) % (users - 100)
        rows = [{"user_id": f"user-{u}"} for u in range(start, start + 100)]
        started = time.perf_counter()
        store.get_online_features(features=refs, entity_rows=rows).to_dict()
        batch.append(time.perf_counter() - started)
    p = lambda xs, q: float(np.percentile(np.array(xs) * 1e6, q))
    print(f"{'feast redis':<22} {p(single, 50):>10.1f} {p(single, 99):>10.1f} {p(batch, 50):>16.1f} {p(batch, 99):>16.1f}")
    store.teardown()


if __name__ == "__main__":
    main()
