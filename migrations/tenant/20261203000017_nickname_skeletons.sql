-- What a nickname looks like (its Unicode TR39 skeleton, computed by the
-- engine, `accounts::validate::nickname_skeleton`): two nicknames that read
-- the same (`rn` and `m`, Cyrillic `асе` and Latin `ace`) cannot both be
-- taken. Rows from before this migration get theirs from `cabildo migrate`
-- right after it (`accounts::backfill_nickname_skeletons`).
ALTER TABLE users ADD COLUMN nickname_skeleton text;
CREATE UNIQUE INDEX users_nickname_skeleton_key ON users (nickname_skeleton);
