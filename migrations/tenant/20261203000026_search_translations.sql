-- A process is found by its texts in every language staff wrote them in
-- (`translations`), not only the default language's.
CREATE OR REPLACE FUNCTION processes_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := search_vector(
        concat_ws(' ', NEW.title,
                  (SELECT string_agg(t.value ->> 'title', ' ') FROM jsonb_each(NEW.translations) t)),
        concat_ws(' ', NEW.summary, NEW.description_markdown,
                  (SELECT string_agg(f.value, ' ')
                   FROM jsonb_each(NEW.translations) t, jsonb_each_text(t.value) f
                   WHERE f.key <> 'title')));
    RETURN NEW;
END $$;
DROP TRIGGER processes_search ON processes;
CREATE TRIGGER processes_search BEFORE INSERT OR UPDATE OF title, summary, description_markdown, translations
    ON processes FOR EACH ROW EXECUTE FUNCTION processes_search();
UPDATE processes SET translations = translations WHERE translations <> '{}';
