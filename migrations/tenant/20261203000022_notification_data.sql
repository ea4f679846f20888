-- What a notification is about, kept as data so that it is shown in the
-- reader's language whenever it is read: the item's title (`subject`), the
-- state it reached (`state`, a stored name such as `accepted`) and words
-- someone wrote (`words`: a comment, the council's answer, an update).
-- `title` and `body` keep the text as first written, in the language the
-- reader had then: what kinds without data show, and what digests list.
ALTER TABLE notifications
    ADD COLUMN subject text CHECK (length(subject) <= 300),
    ADD COLUMN state text CHECK (state ~ '^[a-z][a-z0-9_]{0,39}$'),
    ADD COLUMN words text CHECK (length(words) <= 1000);
