-- The article of the council's name in Spanish sentences: "el" makes
-- "del Ayuntamiento de Toledo" and "el Ayuntamiento de Toledo"; empty for
-- a name said without one ("de Toledo"). Other languages use the name as
-- it is written.
ALTER TABLE settings ADD COLUMN name_article text NOT NULL DEFAULT ''
    CHECK (name_article IN ('', 'el', 'la', 'los', 'las'));
