-- Full-text search configurations shared by every council: Spanish and
-- English stemming that also ignore accents, so "arboles" finds
-- "árboles". They live in their own schema (council schemas hold only
-- council data; DESIGN §3.1), which every council role may use.
-- `unaccent` is a trusted extension: the database owner may create it.
CREATE SCHEMA IF NOT EXISTS search;
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA search;
CREATE TEXT SEARCH CONFIGURATION search.spanish (COPY = pg_catalog.spanish);
ALTER TEXT SEARCH CONFIGURATION search.spanish
    ALTER MAPPING FOR hword, hword_part, word WITH search.unaccent, spanish_stem;
CREATE TEXT SEARCH CONFIGURATION search.english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION search.english
    ALTER MAPPING FOR hword, hword_part, word WITH search.unaccent, english_stem;
GRANT USAGE ON SCHEMA search TO PUBLIC;
