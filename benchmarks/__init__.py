"""tfone's benchmark suite: each workload in tfone vs a hand-written numpy program (issue 8)."""
