-- Search in the council's languages. Stemming runs on the words as
-- written ("participación" and "participar" share the stem "particip"),
-- and again on the words without accents so that a query typed without
-- them ("arboles") still matches: unaccenting before stemming, as the
-- first configuration did, hides the suffixes the stemmers look for.
-- Galician has no stemmer of its own in PostgreSQL; Spanish's handles
-- its endings (-ción, -ar) closely enough.

-- The stemmers for the council's languages.
CREATE FUNCTION search_configs() RETURNS regconfig[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT CASE l
               WHEN 'en' THEN 'pg_catalog.english'
               WHEN 'ca' THEN 'pg_catalog.catalan'
               WHEN 'eu' THEN 'pg_catalog.basque'
               ELSE 'pg_catalog.spanish' END::regconfig), ARRAY['pg_catalog.spanish'::regconfig])
    FROM settings, unnest(languages) AS l
$$;

-- The stemmer pages quote snippets with: the default language's.
CREATE FUNCTION search_headline_config() RETURNS regconfig LANGUAGE sql STABLE AS $$
    SELECT CASE default_language
               WHEN 'en' THEN 'pg_catalog.english'
               WHEN 'ca' THEN 'pg_catalog.catalan'
               WHEN 'eu' THEN 'pg_catalog.basque'
               ELSE 'pg_catalog.spanish' END::regconfig
    FROM settings
$$;

CREATE OR REPLACE FUNCTION search_vector(title text, body text) RETURNS tsvector LANGUAGE plpgsql STABLE AS $$
DECLARE
    config regconfig;
    plain_title text := search.unaccent(title);
    plain_body text := search.unaccent(body);
    v tsvector := '';
BEGIN
    FOREACH config IN ARRAY search_configs() LOOP
        v := v || setweight(to_tsvector(config, title), 'A') || setweight(to_tsvector(config, plain_title), 'A')
               || setweight(to_tsvector(config, body), 'B') || setweight(to_tsvector(config, plain_body), 'B');
    END LOOP;
    RETURN v;
END $$;

-- A query in web-search syntax, stemmed the same ways.
CREATE FUNCTION search_query(q text) RETURNS tsquery LANGUAGE plpgsql STABLE AS $$
DECLARE
    config regconfig;
    plain text := search.unaccent(q);
    found tsquery;
BEGIN
    FOREACH config IN ARRAY search_configs() LOOP
        found := coalesce(found || websearch_to_tsquery(config, q), websearch_to_tsquery(config, q))
                 || websearch_to_tsquery(config, plain);
    END LOOP;
    RETURN found;
END $$;

UPDATE processes SET search = search_vector(title, summary || ' ' || description_markdown);
UPDATE debates SET search = search_vector(title, body);
UPDATE proposals SET search = search_vector(title, summary || ' ' || body);
