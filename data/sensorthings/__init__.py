"""OGC SensorThings API: mapping the room's sensor registry to entities (serving) and other servers'
Things, Datastreams and ObservedProperties to the registry (pulling). Nothing here knows about Flask."""
