-- Reference store schema (rebuilt from data/ and installed packages; read-only at run time).
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    title_fr TEXT NOT NULL,
    title_en TEXT NOT NULL,
    publisher TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    licence TEXT NOT NULL DEFAULT '',
    vintage TEXT NOT NULL,             -- e.g. "2024", "2023-24", "Nov 2024"
    status TEXT NOT NULL CHECK (status IN ('official', 'estimate', 'illustrative')),
    note_fr TEXT NOT NULL DEFAULT '',
    note_en TEXT NOT NULL DEFAULT ''
);

CREATE TABLE territories (
    id TEXT PRIMARY KEY,               -- FR-EPCI-200067932, FR-DEP-56, FR-BASIN-VANNES, BE-BE21, UK-TLC...
    code TEXT NOT NULL,                -- official code (INSEE, SIREN, NUTS, ITL)
    name TEXT NOT NULL,
    level TEXT NOT NULL,               -- country, region, departement, epci, commune, basin, be_province, uk_itl1
    country TEXT NOT NULL,             -- FR, BE, UK
    parent_id TEXT,                    -- the level above used for comparisons (EPCI -> main département...)
    departement_id TEXT,
    region_id TEXT,
    population INTEGER,                -- legal population of the vintage given by pop_source_id (NULL if none)
    pop_source_id TEXT REFERENCES sources(id),
    grid_row INTEGER,                  -- UK tile grid position
    grid_col INTEGER
);
CREATE INDEX territories_level ON territories(level);
CREATE INDEX territories_parent ON territories(parent_id);

-- Composite territories (basins) and their members (EPCIs).
CREATE TABLE memberships (
    parent_id TEXT NOT NULL REFERENCES territories(id),
    child_id TEXT NOT NULL REFERENCES territories(id),
    PRIMARY KEY (parent_id, child_id)
);

-- Simplified geometry as GeoJSON geometry objects (WGS84 lon/lat), per resolution:
-- 'national' (0.01 deg, France-wide layers) and 'detail' (about 0.003 deg, close-ups and communes).
CREATE TABLE geometries (
    territory_id TEXT NOT NULL REFERENCES territories(id),
    resolution TEXT NOT NULL CHECK (resolution IN ('national', 'detail')),
    geojson TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (territory_id, resolution)
);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    unit_fr TEXT NOT NULL,
    unit_en TEXT NOT NULL,
    description_fr TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('count', 'rate', 'amount')),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum', 'weighted_mean', 'none')),
    weight_indicator TEXT,             -- for weighted_mean: the count that weights it
    denominator_indicator TEXT,        -- for counts: the count that turns it into a rate (totals vs rate)
    rate_per INTEGER,                  -- rate multiplier (100 for %, 1000 for per thousand)
    polarity TEXT NOT NULL DEFAULT 'neutral' CHECK (polarity IN ('higher_better', 'higher_worse', 'neutral'))
);

CREATE TABLE indicator_values (
    territory_id TEXT NOT NULL REFERENCES territories(id),
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    year INTEGER NOT NULL,
    value REAL,                        -- NULL = missing (never 0)
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (territory_id, indicator_id, year)
);
CREATE INDEX indicator_values_ind ON indicator_values(indicator_id, year);

CREATE TABLE occupation_families (
    id TEXT PRIMARY KEY,               -- e.g. "F01"
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    fap_domains TEXT NOT NULL DEFAULT '',  -- FAP 2009 domain letters it groups
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE occupation_crosswalk (
    family_id TEXT NOT NULL REFERENCES occupation_families(id),
    scheme TEXT NOT NULL CHECK (scheme IN ('isco08', 'soc2020')),
    code TEXT NOT NULL,                -- major group code
    label_en TEXT NOT NULL,
    PRIMARY KEY (family_id, scheme, code)
);
