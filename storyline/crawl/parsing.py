"""One parse at a time in a process: lxml's string dictionaries are not shared safely.

lxml interns tag and attribute names in a string dictionary per thread, but a thread
takes over the dictionary of the first shared parser it parses with, and trafilatura and
lxml.html parse with module-level parsers. Two worker threads of one process so end up
writing the same dictionary, and while lxml parses or copies a tree it runs without the
GIL: two threads starting on pages together corrupt it now and then (a ``MemoryError``
when trafilatura copies a tree, then a segmentation fault that ends the worker process,
whose jobs then wait for their leases to expire). Every parse of a page, a feed or a
subscription in the crawl stage holds :data:`PARSING`; fetching and storing do not, so
the threads still overlap on the network and the database.
"""

from __future__ import annotations

import threading

PARSING = threading.Lock()
