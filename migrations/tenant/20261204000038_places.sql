-- Addresses looked up with the geocoder (docs/meetings.md): one lookup per
-- address and council, misses kept too (looked up again after a day).
CREATE TABLE places (
    address text PRIMARY KEY CHECK (length(address) BETWEEN 1 AND 300),
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    looked_up_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
