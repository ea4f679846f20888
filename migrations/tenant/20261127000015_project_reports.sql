-- Citizens' budget projects can be reported and hidden by moderators like
-- debates, proposals and comments.
ALTER TABLE reports DROP CONSTRAINT reports_target_kind_check,
    ADD CONSTRAINT reports_target_kind_check CHECK (target_kind IN ('debate', 'proposal', 'comment', 'project'));
