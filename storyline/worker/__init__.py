"""Background work: the job queue, its jobs, and the processes that run them."""

from storyline.worker.queue import make_queue
from storyline.worker.runner import Background, alive_since

__all__ = ["Background", "alive_since", "make_queue"]
