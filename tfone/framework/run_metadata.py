"""Per-run options and measurements: ``RunOptions(trace_level=FULL_TRACE)`` makes a run time
every op, and ``RunMetadata`` receives the measurements (viz can colour a graph by them)."""
import collections

import numpy as np

__all__ = ["RunOptions", "RunMetadata"]


class RunOptions:
    """Options for one Session.run; ``trace_level=RunOptions.FULL_TRACE`` times every op."""
    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3

    def __init__(self, trace_level=NO_TRACE, timeout_in_ms=0):
        self.trace_level = trace_level
        self.timeout_in_ms = timeout_in_ms


class RunMetadata:
    """Filled by a traced run: ``step_stats`` lists one StepStat per executed op, in execution
    order: op name, op type, start (perf_counter seconds), seconds taken, bytes of the outputs
    it produced, and their shapes (None for an output the plan discarded at once)."""

    StepStat = collections.namedtuple(
        "StepStat", "op_name op_type start_s elapsed_s output_bytes output_shapes",
        defaults=((),))

    def __init__(self):
        self.step_stats = []

    def op_times(self):
        """{op name: seconds} of the last traced run."""
        return {s.op_name: s.elapsed_s for s in self.step_stats}

    def op_bytes(self):
        """{op name: bytes of the outputs it produced} of the last traced run."""
        return {s.op_name: s.output_bytes for s in self.step_stats}

    def op_stats(self):
        """{op name: StepStat} of the last traced run (for colouring a graph by time or memory)."""
        return {s.op_name: s for s in self.step_stats}

    @property
    def total_seconds(self):
        """Time spent inside op kernels (the sum of the per-op times)."""
        return sum(s.elapsed_s for s in self.step_stats)

    def summary(self, top=10):
        """A text table of the ``top`` slowest ops (all ops with ``top=None``)."""
        stats = sorted(self.step_stats, key=lambda s: -s.elapsed_s)
        if top is not None:
            stats = stats[:top]
        total = self.total_seconds or 1.0
        rows = ["%-40s %-18s %10s %6s %12s  %s" % ("op", "type", "ms", "%", "bytes", "shapes")]
        for s in stats:
            shapes = ", ".join("?" if shape is None else str(tuple(shape))
                               for shape in s.output_shapes)
            rows.append("%-40s %-18s %10.3f %6.1f %12d  %s" % (
                s.op_name, s.op_type, s.elapsed_s * 1e3, 100.0 * s.elapsed_s / total,
                s.output_bytes, shapes))
        rows.append("%d ops executed, %.3f ms in kernels" % (len(self.step_stats),
                                                              self.total_seconds * 1e3))
        return "\n".join(rows)


def _output_stats(*values):
    """(total bytes, shapes) of the values one traced op produced (None = discarded output)."""
    return (sum(getattr(v, "nbytes", 0) for v in values if v is not None),
            tuple(None if v is None else np.shape(v) for v in values))
