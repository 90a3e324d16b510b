"""Article understanding: entities, quotes, time expressions, timeline, key phrases, hashtags.

Every component reads one spaCy :class:`~spacy.tokens.Doc` of an article's ``text`` (the
cleaned text the article JSON carries) and returns records from :mod:`storyline.understand.types`
whose character offsets point into that text. :mod:`storyline.understand.pipeline` loads the spaCy
pipeline once per process; :mod:`storyline.understand.analyze` runs all components over batches.
"""
