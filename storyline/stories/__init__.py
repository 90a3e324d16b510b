"""Stories: articles tied together across outlets.

A story is what several articles are about; before articles are grouped by event, the
ones that are the same text (a wire story carried by many outlets, a rewrite of it, an
update of an article) are found by :mod:`storyline.stories.copies`.
"""
