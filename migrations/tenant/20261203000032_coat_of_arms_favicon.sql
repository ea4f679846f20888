-- The council's coat of arms (shown in the header when it has no logo,
-- and on its home page) and the icon browsers show for its site (its
-- generated initial until one is uploaded): stored pictures' names under
-- /media/, uploaded from the council's settings.
ALTER TABLE settings
    ADD COLUMN coat_of_arms text CHECK (coat_of_arms ~ '^[a-z0-9][a-z0-9._-]{0,99}$'),
    ADD COLUMN favicon text CHECK (favicon ~ '^[a-z0-9][a-z0-9._-]{0,99}$');
