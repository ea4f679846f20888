-- Pictures: a process's hero image and a proposal's image. The files live
-- in the media storage (a folder by default) under the council's id; the
-- rows keep their names only.
ALTER TABLE processes ADD COLUMN image text CHECK (image ~ '^[0-9a-f]{32}\.(png|jpg|webp|gif)$');
ALTER TABLE proposals ADD COLUMN image text CHECK (image ~ '^[0-9a-f]{32}\.(png|jpg|webp|gif)$');
