"""Training runs: the settings, the engine, a run's life, and the queue that shares a server's cores."""
