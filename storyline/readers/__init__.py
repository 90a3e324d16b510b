"""The reader side: accounts, comments, moderation, follows, notifications."""
